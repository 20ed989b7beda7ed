import { register } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { instrumentHandler, SignalStore, stopRuntimeMetrics } from '../../src/index.js';
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

  it('rejects options without a messaging system, saying what to pass', () => {
    expect(() => instrumentHandler(() => 1, {} as never)).toThrow(
      /options\.system must name the messaging system/,
    );
  });
});
