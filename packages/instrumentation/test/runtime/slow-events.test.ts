import { attributes, labelName, metricName } from '@eventscope/catalog';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderExposition } from '../../src/export/exposition.js';
import { instrumentHandler } from '../../src/handler.js';
import { startRuntimeMetrics, stopRuntimeMetrics } from '../../src/runtime/index.js';
import { type CounterSeries, type HistogramSeries, SignalStore } from '../../src/store.js';
import { exposeGc, settle } from './expose-gc.js';

/**
 * Slow events end to end: handlers wrapped with instrumentHandler, GC pauses and blocked loops made
 * real, lines written by a real pino logger.
 */

const gc = exposeGc();
const store = new SignalStore();
const lines: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const message = (n: number) => ({
  n,
  headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
});

beforeAll(() => {
  startRuntimeMetrics({ store, logger, slowEventLogsPerSecond: 1000, slowEventSettleMs: 20 });
});
afterAll(() => stopRuntimeMetrics());

function slowCount(destination: string, cause: string): number {
  for (const series of store.family('slowEvents').series.values() as Iterable<CounterSeries>) {
    if (series.values[1] === destination && series.values[3] === cause) return series.value;
  }
  return 0;
}
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};
const common = {
  system: 'inprocess',
  consumerGroup: 'billing',
  store,
  registry: false,
  tracing: false,
} as const;

describe('slow events through instrumentHandler', () => {
  it('blames GC for a handler held up by forced pauses, and logs one pino line per event', async () => {
    const retained: number[][] = [];
    const handle = instrumentHandler(
      (_event: { n: number }) => {
        for (let j = 0; j < 2000; j++) retained.push(new Array(100).fill(j));
        if (retained.length > 40_000) retained.length = 0;
        gc();
        return 'done';
      },
      { ...common, destination: 'orders.created', slowThreshold: 3 },
    );
    for (let i = 0; i < 10; i++) {
      expect(handle(message(i))).toBe('done');
      await settle(1);
    }
    await settle(100);

    const gcLines = lines.filter((line) => line.destination === 'orders.created');
    const total = ['gc', 'event_loop', 'handler'].reduce((n, c) => n + slowCount('orders.created', c), 0);
    expect(total).toBeGreaterThan(0);
    expect(gcLines).toHaveLength(total);
    expect(slowCount('orders.created', 'gc')).toBeGreaterThan(total / 2);
    const line = gcLines.find((l) => l.cause === 'gc')!;
    expect(line).toMatchObject({
      level: 40,
      msg: 'eventscope: slow event',
      trace_id: TRACE_ID,
      system: 'inprocess',
      destination: 'orders.created',
      cause: 'gc',
    });
    expect(line.gcMs as number).toBeGreaterThan((line.durationMs as number) / 2);
    expect((line.gcByType as Record<string, number>).major).toBeGreaterThan(0);
    expect(line.heapUsedBytes).toBeGreaterThan(0);
    expect(line.heapLimitBytes).toBeGreaterThan(line.heapUsedBytes as number);

    // "share of handler time spent in GC pauses" = gc overlap / processing duration sum
    const overlap = [...store.family('gcOverlap').series.values()].find(
      (s) => s.values[1] === 'orders.created',
    )!;
    const duration = [...store.family('processDuration').series.values()].find(
      (s) => s.values[1] === 'orders.created',
    ) as HistogramSeries;
    expect(duration.count).toBe(10);
    const share = overlap.value / duration.sum;
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThanOrEqual(1);

    const text = renderExposition(store);
    const slowName = metricName('slowEvents');
    expect(text).toContain(
      `${slowName}{${labelName(attributes.system)}="inprocess",${labelName(attributes.destination)}="orders.created",${labelName(attributes.consumerGroup)}="billing",${labelName(attributes.slowCause)}="gc"}`,
    );
    expect(text).toContain(metricName('gcOverlap'));
  });

  it('blames the event loop for an async event that could not resume while the loop was blocked', async () => {
    const handle = instrumentHandler(
      async (_event: { n: number }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return 'done';
      },
      { ...common, destination: 'payments.settled', slowThreshold: 50 },
    );
    await settle(30); // the lag sampler has a fresh tick
    const pending = handle(message(1));
    busy(150); // someone else's synchronous work holds the loop while the event awaits
    await expect(pending).resolves.toBe('done');
    await settle(100);
    expect(slowCount('payments.settled', 'event_loop')).toBe(1);
    expect(slowCount('payments.settled', 'handler') + slowCount('payments.settled', 'gc')).toBe(0);
    const line = lines.find((l) => l.destination === 'payments.settled')!;
    expect(line.cause).toBe('event_loop');
    expect(line.loopDelayMs as number).toBeGreaterThan(100);
  });

  it('blames the handler for its own synchronous work, though that work blocked the loop', async () => {
    const handle = instrumentHandler(
      (_event: { n: number }) => {
        busy(120);
        return 'done';
      },
      { ...common, destination: 'invoices.issued', slowThreshold: 50 },
    );
    await settle(30);
    expect(handle(message(2))).toBe('done');
    await settle(100);
    expect(slowCount('invoices.issued', 'handler')).toBe(1);
    expect(slowCount('invoices.issued', 'event_loop') + slowCount('invoices.issued', 'gc')).toBe(0);
  });
});
