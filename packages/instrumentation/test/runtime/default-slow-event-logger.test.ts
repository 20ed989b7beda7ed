import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { instrumentHandler } from '../../src/handler.js';
import { startRuntimeMetrics, stopRuntimeMetrics } from '../../src/runtime/index.js';
import { stderrJsonLogger } from '../../src/runtime/stderr-logger.js';
import { type CounterSeries, SignalStore } from '../../src/store.js';
import { settle } from './expose-gc.js';

/**
 * Without a logger from the application, slow-event lines go to stderr as JSON lines in pino's
 * shape, written by eventscope itself (pino is an optional peer, never loaded by default), and
 * rate-limited as with a logger of one's own.
 */

const store = new SignalStore();
const written: string[] = [];

beforeAll(() => {
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  startRuntimeMetrics({ store, slowEventSettleMs: 20 });
});
afterAll(() => {
  stopRuntimeMetrics();
  vi.restoreAllMocks();
});

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};

describe('the default slow-event logger', () => {
  it('writes one pino-shaped JSON line per call on stderr', () => {
    const before = written.length;
    stderrJsonLogger('eventscope').warn(
      { destination: 'orders.created', gcMs: 1.5 },
      'eventscope: slow event',
    );
    const lines = written.slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 40,
      time: expect.any(Number),
      pid: process.pid,
      hostname: hostname(),
      name: 'eventscope',
      destination: 'orders.created',
      gcMs: 1.5,
      msg: 'eventscope: slow event',
    });
  });

  it('is what slow events are logged to without a logger, at most 10 lines a second; every event is counted', async () => {
    const before = written.length;
    const handle = instrumentHandler(
      (_event: number) => {
        busy(8);
      },
      {
        system: 'inprocess',
        destination: 'orders.created',
        consumerGroup: 'billing',
        store,
        registry: false,
        tracing: false,
        slowThreshold: 2,
      },
    );
    for (let i = 0; i < 30; i++) handle(i);
    await settle(100);

    let counted = 0;
    for (const series of store.family('slowEvents').series.values() as Iterable<CounterSeries>) {
      counted += series.value;
    }
    expect(counted).toBe(30);
    const lines = written
      .slice(before)
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // 10 tokens to start with, refilled at 10 a second over the ~0.4 s of the run.
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThan(16);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: 40,
        name: 'eventscope',
        msg: 'eventscope: slow event',
        system: 'inprocess',
        destination: 'orders.created',
      });
    }
  });
});
