import { createHook } from 'node:async_hooks';
import { attributes } from '@eventscope/catalog';
import { afterEach, describe, expect, it } from 'vitest';
import { recordEventInterval } from '../../src/runtime/attribution.js';
import { createAttributionTarget } from '../../src/runtime/attribution-target.js';
import {
  ensureRuntimeMetrics,
  runtimeMetricsRunning,
  startRuntimeMetrics,
  stopRuntimeMetrics,
} from '../../src/runtime/index.js';
import { type GaugeSeries, SignalStore } from '../../src/store.js';
import { exposeGc, settle } from './expose-gc.js';

afterEach(() => stopRuntimeMetrics());

/** How many collect hooks a store runs (its private set, read for this check only). */
function countCollectHooks(store: SignalStore): number {
  return (store as unknown as { collectHooks: Set<unknown> }).collectHooks.size;
}

const gauge = (store: SignalStore, key: Parameters<SignalStore['family']>[0]) =>
  [...store.family(key).series.values()] as GaugeSeries[];

describe('runtime metrics lifecycle', () => {
  it('leaves no timer, immediate, observer or handle behind after stop', async () => {
    await settle();
    // Every runtime timer is unref'd, so getActiveResourcesInfo() does not list it: follow the
    // timers and immediates created while the runtime runs through async_hooks instead.
    const created = new Map<number, string>();
    const destroyed = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === 'Timeout' || type === 'Immediate') created.set(id, type);
      },
      destroy(id) {
        destroyed.add(id);
      },
    }).enable();
    const before = process.getActiveResourcesInfo().sort();
    const store = new SignalStore();
    startRuntimeMetrics({ store, logger: false, slowEventSettleMs: 60_000 });
    // a slow event is held on a timer when stop comes
    const target = createAttributionTarget(store, { [attributes.destination]: 'orders.created' }, 1);
    recordEventInterval(target, performance.now() - 50, performance.now(), undefined);
    await settle(30); // the loop-block sampler ticks
    expect(created.size).toBeGreaterThanOrEqual(2);
    const gcCountBefore = [...store.family('gcDuration').series.values()].reduce((n, s) => n + s.count, 0);

    stopRuntimeMetrics();
    const ours = [...created.keys()];
    expect(process.getActiveResourcesInfo().sort()).toEqual(before);
    expect(target.slowByCause.handler.value).toBe(1); // reported at stop, not dropped
    expect(runtimeMetricsRunning(store)).toBe(false);

    exposeGc()();
    // Destroy hooks run when the collector gets to them: on a loaded machine that takes longer.
    for (let i = 0; i < 100 && ours.some((id) => !destroyed.has(id)); i++) {
      exposeGc()();
      await settle(20);
    }
    hook.disable();
    const left = ours.filter((id) => !destroyed.has(id)).map((id) => created.get(id));
    expect(left).toEqual([]);
    // the GC observer is disconnected: a collection after stop is not recorded
    const gcCountAfter = [...store.family('gcDuration').series.values()].reduce((n, s) => n + s.count, 0);
    expect(gcCountAfter).toBe(gcCountBefore);
  });

  it('starts once per store however often it is ensured', () => {
    const store = new SignalStore();
    ensureRuntimeMetrics(store);
    const hooks = countCollectHooks(store);
    ensureRuntimeMetrics(store);
    ensureRuntimeMetrics(store);
    expect(countCollectHooks(store)).toBe(hooks);
    expect(hooks).toBe(3); // heap, CPU and event loop
    expect(runtimeMetricsRunning(store)).toBe(true);
  });

  it('samples heap by space, heap limit, RSS, start time and the event loop on collection', async () => {
    const store = new SignalStore();
    ensureRuntimeMetrics(store);
    await settle(30);
    const busyUntil = performance.now() + 40;
    while (performance.now() < busyUntil) {} // block the loop once, so the delay has a sample
    await settle(30);
    store.collect();

    const spaces = new Map(gauge(store, 'heapUsed').map((s) => [s.values[0], s.value]));
    expect(spaces.has('old_space')).toBe(true);
    expect(spaces.has('new_space')).toBe(true);
    for (const size of gauge(store, 'heapSpaceSize')) {
      expect(size.value).toBeGreaterThanOrEqual(spaces.get(size.values[0]!) ?? 0);
    }
    const limit = gauge(store, 'heapSizeLimit')[0]!.value;
    const used = [...spaces.values()].reduce((a, b) => a + b, 0);
    expect(limit).toBeGreaterThan(used);
    expect(gauge(store, 'memoryRss')[0]!.value).toBeGreaterThan(used / 2);
    const started = gauge(store, 'processStartTime')[0]!.value;
    expect(started).toBeLessThanOrEqual(Date.now() / 1000);
    expect(started).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 5);

    // The 40 ms block is one late tick of the lag sampler: one delay sample over 25 ms, in seconds.
    const delay = store.series('loopDelay');
    const over25ms = delay.bounds.findIndex((b) => b >= 0.025) + 1;
    expect(delay.counts.slice(over25ms).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(delay.sum).toBeGreaterThan(0.02);
    expect(delay.count).toBeGreaterThan(3); // ticks every 10 ms over the 100 ms above
    const time = (state: string) => store.series('loopTime', { [attributes.loopState]: state }).value;
    expect(time('active')).toBeGreaterThan(0.04);
    expect(time('idle')).toBeGreaterThan(0);
    const cpu = (mode: string) => store.series('cpuTime', { [attributes.cpuMode]: mode }).value;
    expect(cpu('user')).toBeGreaterThan(0.04); // at least the 40 ms busy loop
    expect(cpu('user') + cpu('system')).toBeLessThanOrEqual(
      process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    );
  });

  it('keeps the loop and CPU signals cumulative: a second collection only adds', async () => {
    const store = new SignalStore();
    ensureRuntimeMetrics(store);
    store.collect();
    const active = store.series('loopTime', { [attributes.loopState]: 'active' }).value;
    const user = store.series('cpuTime', { [attributes.cpuMode]: 'user' }).value;
    const samples = store.series('loopDelay').count;
    const busyUntil = performance.now() + 30;
    while (performance.now() < busyUntil) {}
    await settle(30);
    store.collect();
    expect(store.series('loopTime', { [attributes.loopState]: 'active' }).value).toBeGreaterThan(
      active + 0.02,
    );
    expect(store.series('cpuTime', { [attributes.cpuMode]: 'user' }).value).toBeGreaterThan(user);
    expect(store.series('loopDelay').count).toBeGreaterThan(samples);
  });

  it('stops sampling a store on stop: collection no longer updates it', () => {
    const store = new SignalStore();
    ensureRuntimeMetrics(store);
    store.collect();
    stopRuntimeMetrics();
    const rss = gauge(store, 'memoryRss')[0]!;
    rss.set(-1);
    store.collect();
    expect(rss.value).toBe(-1);
  });
});
