import { attributes, metricName } from '@eventscope/catalog';
import { afterEach, describe, expect, it } from 'vitest';
import { recordEventInterval, recordGcPause, resetAttribution } from '../../src/runtime/attribution.js';
import { createAttributionTarget } from '../../src/runtime/attribution-target.js';
import { gcOverlapByKind } from '../../src/runtime/gc-pauses.js';
import { recordLoopBlock, resetLoopBlocks } from '../../src/runtime/loop-blocks.js';
import { configureSlowEvents, flushSlowEvents, judge } from '../../src/runtime/slow-events.js';
import { SignalStore } from '../../src/store.js';

const MAJOR = 0;
const MINOR = 1;
const labels = {
  [attributes.system]: 'inprocess',
  [attributes.destination]: 'orders.created',
  [attributes.consumerGroup]: 'billing',
};

function target(store = new SignalStore(), slowThresholdMs = 0, destination = 'orders.created') {
  return createAttributionTarget(
    store,
    { ...labels, [attributes.destination]: destination },
    slowThresholdMs,
  );
}

afterEach(() => {
  flushSlowEvents();
  resetAttribution();
  resetLoopBlocks();
});

describe('GC overlap bookkeeping', () => {
  it('credits a pause that arrives after the event finished', () => {
    const t = target();
    recordEventInterval(t, 100, 110, undefined);
    recordGcPause(105, 3, MAJOR); // [105, 108] inside [100, 110]
    expect(t.gcOverlap.value).toBeCloseTo(0.003, 12);
  });

  it('credits a pause that arrived before the event finished (an async handler awaiting across it)', () => {
    const t = target();
    recordGcPause(105, 3, MINOR);
    recordEventInterval(t, 100, 110, undefined);
    expect(t.gcOverlap.value).toBeCloseTo(0.003, 12);
  });

  it('counts each (event, pause) pair once, whichever arrives second', () => {
    const t = target();
    recordEventInterval(t, 0, 10, undefined); // finished before the pause arrived
    recordGcPause(8, 4, MAJOR); // [8, 12]
    recordEventInterval(t, 9, 20, undefined); // finished after
    recordEventInterval(t, 12, 30, undefined); // starts when it ended: no overlap
    // 2 ms of the first event, 3 ms of the second
    expect(t.gcOverlap.value * 1000).toBeCloseTo(5, 9);
  });

  it('clips a pause to the part of it inside the event', () => {
    const t = target();
    recordEventInterval(t, 10, 20, undefined);
    recordGcPause(5, 30, MAJOR); // covers the whole event
    expect(t.gcOverlap.value * 1000).toBeCloseTo(10, 9);
  });

  it('charges concurrent events each for the pause they all sat through', () => {
    const orders = target(new SignalStore(), 0, 'orders.created');
    const payments = target(new SignalStore(), 0, 'payments.settled');
    recordEventInterval(orders, 0, 10, undefined);
    recordEventInterval(payments, 2, 12, undefined);
    recordGcPause(4, 2, MINOR);
    expect(orders.gcOverlap.value * 1000).toBeCloseTo(2, 9);
    expect(payments.gcOverlap.value * 1000).toBeCloseTo(2, 9);
  });

  it('ignores pauses between events', () => {
    const t = target();
    recordEventInterval(t, 0, 10, undefined);
    recordGcPause(10, 5, MAJOR);
    recordEventInterval(t, 15, 20, undefined);
    recordGcPause(20.5, 1, MINOR);
    expect(t.gcOverlap.value).toBe(0);
  });

  it('still finds a long pause behind a shorter, newer one', () => {
    const t = target();
    recordGcPause(0, 50, MAJOR); // [0, 50]
    recordGcPause(10, 1, MINOR); // reported inside it: [10, 11]
    recordEventInterval(t, 20, 30, undefined);
    expect(t.gcOverlap.value * 1000).toBeCloseTo(10, 9);
    const byKind = new Float64Array(4);
    expect(gcOverlapByKind(20, 30, byKind)).toBeCloseTo(10, 9);
  });

  it('ignores intervals a broken clock produced', () => {
    const t = target();
    recordGcPause(0, 100, MAJOR);
    recordEventInterval(t, 50, 40, undefined);
    recordEventInterval(t, Number.NaN, 40, undefined);
    expect(t.gcOverlap.value).toBe(0);
  });

  it('matches a brute-force overlap of random events and pauses, in any arrival order', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const t = target();
    const events: [number, number][] = [];
    const pauses: [number, number][] = [];
    // A timeline: events finish in order; pauses are reported a little after they end.
    let clock = 0;
    const pendingPauses: { start: number; end: number; arrives: number }[] = [];
    for (let step = 0; step < 5000; step++) {
      clock += random() * 2;
      if (random() < 0.1) {
        const start = clock;
        const duration = random() * 3;
        clock += duration;
        pendingPauses.push({ start, end: start + duration, arrives: clock + random() * 4 });
      }
      const start = clock - random() * 6; // events may have started before earlier pauses
      const end = clock;
      while (pendingPauses.length > 0 && pendingPauses[0]!.arrives <= clock) {
        const p = pendingPauses.shift()!;
        recordGcPause(p.start, p.end - p.start, MINOR);
        pauses.push([p.start, p.end]);
      }
      recordEventInterval(t, start, end, undefined);
      events.push([start, end]);
    }
    for (const p of pendingPauses) {
      recordGcPause(p.start, p.end - p.start, MAJOR);
      pauses.push([p.start, p.end]);
    }
    let expected = 0;
    for (const [es, ee] of events) {
      for (const [ps, pe] of pauses) expected += Math.max(0, Math.min(ee, pe) - Math.max(es, ps));
    }
    expect(expected).toBeGreaterThan(100);
    expect(t.gcOverlap.value * 1000).toBeCloseTo(expected, 6);
  });

  it('records into eventscope.gc.overlap.duration with the destination labels', () => {
    const store = new SignalStore();
    const t = target(store);
    recordEventInterval(t, 0, 10, undefined);
    recordGcPause(1, 1, MAJOR);
    const family = store.family('gcOverlap');
    expect(metricName(family.signal)).toBe('eventscope_gc_overlap_duration_seconds_total');
    const [series] = [...family.series.values()];
    expect(series?.values).toEqual(['inprocess', 'orders.created', 'billing']);
    expect(series?.value).toBeCloseTo(0.001, 12);
  });
});

describe('slow-event causes', () => {
  it('splits GC overlap by type', () => {
    recordGcPause(0, 2, MAJOR);
    recordGcPause(3, 1, MINOR);
    const byKind = new Float64Array(4);
    expect(gcOverlapByKind(1, 10, byKind)).toBeCloseTo(2, 9);
    expect([...byKind]).toEqual([1, 1, 0, 0]);
  });

  it('blames GC when pauses cover most of the event', () => {
    recordGcPause(10, 80, MAJOR);
    expect(judge(0, 100, 100)).toMatchObject({ cause: 'gc', gcMs: 80, loopMs: 0, handlerMs: 20 });
  });

  it('blames the handler for its own work, even when that work blocked the loop', () => {
    recordLoopBlock(0, 100); // a synchronous handler blocks the loop itself
    expect(judge(0, 100, 100)).toMatchObject({ cause: 'handler', gcMs: 0, loopMs: 0, handlerMs: 100 });
  });

  it('blames the event loop when an awaiting event could not resume', () => {
    recordLoopBlock(20, 90); // someone else blocked the loop while this event awaited
    expect(judge(0, 100, 5)).toMatchObject({ cause: 'event_loop', loopMs: 70, handlerMs: 30 });
  });

  it('does not count a GC pause in a blocked stretch twice', () => {
    recordGcPause(20, 60, MAJOR);
    recordLoopBlock(20, 85);
    const verdict = judge(0, 100, 5);
    expect(verdict.cause).toBe('gc');
    expect(verdict.gcMs).toBeCloseTo(60, 9);
    expect(verdict.loopMs).toBeCloseTo(5, 9);
  });

  it('counts a slow event once by cause, after it settled', async () => {
    const lines: object[] = [];
    configureSlowEvents({ logger: { warn: (obj) => lines.push(obj) }, settleMs: 20, logsPerSecond: 100 });
    const t = target(new SignalStore(), 50);
    const now = performance.now();
    recordEventInterval(t, now - 100, now, 'trace-1');
    recordEventInterval(t, now - 10, now, 'trace-fast');
    expect(t.slowByCause.gc.value + t.slowByCause.handler.value).toBe(0); // held, not yet reported
    recordGcPause(now - 90, 70, MAJOR); // arrives while it is held
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(t.slowByCause.gc.value).toBe(1);
    expect(t.slowByCause.handler.value).toBe(0);
    expect(t.slowByCause.event_loop.value).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      trace_id: 'trace-1',
      destination: 'orders.created',
      cause: 'gc',
      gcMs: 70,
      gcByType: { major: 70, minor: 0, incremental: 0, weakcb: 0 },
    });
  });

  it('rate-limits the lines but counts every slow event', async () => {
    const lines: Record<string, unknown>[] = [];
    configureSlowEvents({
      logger: { warn: (obj) => lines.push(obj as Record<string, unknown>) },
      logsPerSecond: 3,
    });
    const t = target(new SignalStore(), 1);
    for (let i = 0; i < 50; i++) recordEventInterval(t, i * 10, i * 10 + 5, undefined);
    flushSlowEvents();
    expect(t.slowByCause.handler.value).toBe(50);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(4);
    // the next line that gets through says how many were left out
    await new Promise((resolve) => setTimeout(resolve, 400)); // at 3 lines/s, a token is back
    recordEventInterval(t, 1000, 1010, undefined);
    flushSlowEvents();
    expect(lines.at(-1)?.suppressed).toBeGreaterThanOrEqual(46);
  });

  it('reports nothing when the threshold is 0', () => {
    const t = target(new SignalStore(), 0);
    recordEventInterval(t, 0, 10_000, undefined);
    flushSlowEvents();
    expect(t.slowThresholdMs).toBe(0);
    expect(t.slowByCause.gc.value + t.slowByCause.handler.value + t.slowByCause.event_loop.value).toBe(0);
  });
});
