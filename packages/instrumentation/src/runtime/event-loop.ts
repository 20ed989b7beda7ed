import { performance } from 'node:perf_hooks';
import { attributes } from '@eventscope/catalog';
import type { SignalStore } from '../store.js';
import { addLoopDelaySink, removeLoopDelaySink } from './loop-blocks.js';

/**
 * Event-loop time and delay, both cumulative, so that what a scrape reads does not depend on who
 * scraped before it: two Prometheus servers (an HA pair) scraping at different intervals see the
 * same rates and the same quantiles over the same window.
 *
 * - `nodejs.eventloop.time` by `nodejs.eventloop.state`: the loop's active and idle time since it
 *   started, read from `performance.eventLoopUtilization()` at collection. Utilization over a window
 *   is rate(active) / rate(active + idle), and it adds up correctly across workers and instances.
 * - `eventscope.eventloop.delay`: a histogram of how late each tick of the lag sampler ran, its
 *   interval subtracted (see `loop-blocks.ts`). `monitorEventLoopDelay` is not used: its histogram
 *   must be reset to give a window (which is what split it between scrapers), it reports only
 *   percentiles rather than bucket counts, and each of its samples includes the timer's resolution
 *   (an idle loop's p50 read 10.3 ms at the default 10 ms).
 */

export interface LoopSampler {
  readonly collect: () => void;
  readonly stop: () => void;
}

export function sampleEventLoop(store: SignalStore): LoopSampler {
  const delay = store.series('loopDelay');
  const active = store.series('loopTime', { [attributes.loopState]: 'active' });
  const idle = store.series('loopTime', { [attributes.loopState]: 'idle' });
  addLoopDelaySink(delay);
  let stopped = false;
  return {
    collect() {
      // Cumulative since the loop started (ms): the counters are set, never reset.
      const now = performance.eventLoopUtilization();
      active.value = Math.max(active.value, now.active / 1000);
      idle.value = Math.max(idle.value, now.idle / 1000);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      removeLoopDelaySink(delay);
    },
  };
}

/** `process.cpu.time` by `cpu.mode`: the process's user and system CPU seconds, read at collection. */
export function sampleCpu(store: SignalStore): () => void {
  const user = store.series('cpuTime', { [attributes.cpuMode]: 'user' });
  const system = store.series('cpuTime', { [attributes.cpuMode]: 'system' });
  return () => {
    const usage = process.cpuUsage(); // µs since the process started
    user.value = Math.max(user.value, usage.user / 1e6);
    system.value = Math.max(system.value, usage.system / 1e6);
  };
}
