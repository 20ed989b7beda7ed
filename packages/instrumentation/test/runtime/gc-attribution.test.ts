import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { attributes } from '@eventscope/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEventInterval } from '../../src/runtime/attribution.js';
import { createAttributionTarget } from '../../src/runtime/attribution-target.js';
import { startRuntimeMetrics, stopRuntimeMetrics } from '../../src/runtime/index.js';
import { SignalStore } from '../../src/store.js';
import { exposeGc, settle } from './expose-gc.js';

/**
 * Acceptance: GC pauses forced inside handlers (`--expose-gc` plus allocation that is retained)
 * are attributed to those handlers' events, within a stated tolerance of the pauses observed.
 */

const gc = exposeGc();
const store = new SignalStore();
const lines: Record<string, unknown>[] = [];
const observed: { start: number; end: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as PerformanceEntry[]) {
    observed.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  }
});

beforeAll(() => {
  observer.observe({ entryTypes: ['gc'] });
  startRuntimeMetrics({
    store,
    logger: { warn: (obj) => lines.push(obj as Record<string, unknown>) },
    slowEventLogsPerSecond: 1000,
    slowEventSettleMs: 20,
  });
});

afterAll(() => {
  stopRuntimeMetrics();
  observer.disconnect();
});

describe('GC pauses inside handlers', () => {
  it('are attributed to the events they delayed, within 10 % + 2 ms of the pauses observed', async () => {
    const sync = createAttributionTarget(
      store,
      { [attributes.system]: 'inprocess', [attributes.destination]: 'orders.created' },
      3,
    );
    const awaiting = createAttributionTarget(
      store,
      { [attributes.system]: 'inprocess', [attributes.destination]: 'payments.settled' },
      0,
    );
    const retained: number[][] = [];
    const intervals: { start: number; end: number }[] = [];
    let pausedInsideMs = 0; // wall time the handlers spent inside gc()

    // The handler: allocate and retain, so the heap is worth collecting, then collect.
    const handle = () => {
      for (let j = 0; j < 2000; j++) retained.push(new Array(100).fill(j));
      if (retained.length > 40_000) retained.length = 0;
      const g0 = performance.now();
      gc();
      pausedInsideMs += performance.now() - g0;
    };

    await settle();
    const firstEntry = observed.length;
    for (let i = 0; i < 30; i++) {
      // A synchronous handler: its pause is reported after the event was recorded.
      const s0 = performance.now();
      handle();
      const s1 = performance.now();
      recordEventInterval(sync, s0, s1, `sync-${i}`);
      intervals.push({ start: s0, end: s1 });

      // An async handler awaiting across the pause: it is reported before the event is recorded.
      const a0 = performance.now();
      handle();
      const syncPart = performance.now();
      await settle(5);
      const a1 = performance.now();
      recordEventInterval(awaiting, a0, a1, `async-${i}`, syncPart);
      intervals.push({ start: a0, end: a1 });
    }
    await settle(100);

    // What the observer saw inside the events, by brute force over every entry and interval.
    let observedInsideMs = 0;
    for (const p of observed.slice(firstEntry)) {
      for (const e of intervals)
        observedInsideMs += Math.max(0, Math.min(e.end, p.end) - Math.max(e.start, p.start));
    }
    const attributedMs = (sync.gcOverlap.value + awaiting.gcOverlap.value) * 1000;

    // Bookkeeping: the attribution equals the overlap of every observed entry with the events.
    expect(attributedMs).toBeCloseTo(observedInsideMs, 3);
    // Against the wall clock: the forced pauses, as timed around gc() inside the handlers.
    expect(pausedInsideMs).toBeGreaterThan(20);
    expect(Math.abs(attributedMs - pausedInsideMs)).toBeLessThanOrEqual(0.1 * pausedInsideMs + 2);
    // Both arrival orders contributed.
    expect(sync.gcOverlap.value).toBeGreaterThan(0);
    expect(awaiting.gcOverlap.value).toBeGreaterThan(0);

    // Slow synchronous events (over 3 ms) were counted once each, mostly blamed on GC.
    const slow = sync.slowByCause;
    const slowCount = slow.gc.value + slow.event_loop.value + slow.handler.value;
    expect(slowCount).toBeGreaterThan(0);
    expect(slow.gc.value).toBeGreaterThan(slow.handler.value + slow.event_loop.value);
    const gcLines = lines.filter((line) => line.cause === 'gc');
    expect(lines).toHaveLength(slowCount);
    const line = gcLines[0]!;
    expect(line).toMatchObject({ system: 'inprocess', destination: 'orders.created' });
    expect(String(line.trace_id)).toMatch(/^sync-\d+$/);
    expect(line.heapLimitBytes).toBeGreaterThan(line.heapUsedBytes as number);
    expect((line.gcByType as Record<string, number>).major).toBeGreaterThan(0);
  });
});
