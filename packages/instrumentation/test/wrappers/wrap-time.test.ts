import { attributes } from '@eventscope/catalog';
import { register } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import {
  instrumentBatchHandler,
  instrumentHandler,
  SignalStore,
  stopRuntimeMetrics,
} from '../../src/index.js';
import { runtimeMetricsRunning } from '../../src/runtime/index.js';

afterAll(() => {
  stopRuntimeMetrics();
  register.clear();
});

describe('at wrap time', () => {
  it("exports through prom-client's global registry by default, and starts runtime signals", async () => {
    const store = new SignalStore();
    const handle = instrumentHandler((n: number) => n + 1, {
      system: 'inprocess',
      destination: 'orders',
      store,
    });
    expect(handle(1)).toBe(2);
    expect(runtimeMetricsRunning(store)).toBe(true);
    const text = await register.metrics();
    expect(text).toMatch(
      /messaging_process_duration_seconds_count\{[^}]*messaging_destination_name="orders"[^}]*\} 1/,
    );
  });

  it('exports nowhere and starts nothing when told so', async () => {
    const store = new SignalStore();
    instrumentHandler((n: number) => n, {
      system: 'inprocess',
      destination: 'quiet',
      store,
      registry: false,
      runtime: false,
    })(1);
    expect(runtimeMetricsRunning(store)).toBe(false);
    expect(await register.metrics()).not.toContain('destination_name="quiet"');
  });

  it('makes the failed-events counter at 0 for a fixed destination; counts one per failed call, one per batch', async () => {
    const store = new SignalStore();
    const quiet = { store, registry: false as const, runtime: false, tracing: false };
    const failedOn = () => {
      const family = store.family('failedEvents');
      const destination = family.signal.labels.indexOf(attributes.destination);
      return Object.fromEntries([...family.series.values()].map((s) => [s.values[destination], s.value]));
    };
    const single = instrumentHandler(
      (n: number) => {
        if (n < 0) throw new RangeError('negative');
        return n;
      },
      { ...quiet, system: 'inprocess', destination: 'orders' },
    );
    const batch = instrumentBatchHandler(
      async (ns: number[]) => {
        if (ns.some((n) => n < 0)) throw new TypeError('bad batch');
      },
      { ...quiet, system: 'inprocess', destination: 'payments' },
    );
    expect(failedOn()).toEqual({ orders: 0, payments: 0 });
    expect(() => single(-1)).toThrow(RangeError);
    expect(single(1)).toBe(1);
    await expect(batch([1, -2, -3])).rejects.toThrow(TypeError);
    await batch([4, 5]);
    expect(failedOn()).toEqual({ orders: 1, payments: 1 });
  });

  it('rejects options without a messaging system, saying what to pass', () => {
    expect(() => instrumentHandler(() => 1, {} as never)).toThrow(
      /options\.system must name the messaging system/,
    );
  });
});
