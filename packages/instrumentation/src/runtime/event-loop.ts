import {
  type ELDHistogram,
  type EventLoopUtilization,
  monitorEventLoopDelay,
  performance,
} from 'node:perf_hooks';
import type { SignalStore } from '../store.js';

/**
 * Event-loop delay percentiles and utilization, per collection: the delay histogram is reset and
 * the utilization taken as a delta each time the store is collected, so every scrape reports the
 * interval since the previous one.
 *
 * One delay histogram serves every store (each would otherwise add its own libuv timer): it is reset
 * by whichever store is collected, so with several stores each reports the delay since the last
 * collection of any of them. With one store, the usual case, that is exactly the scrape interval.
 */

let shared: ELDHistogram | undefined;
let users = 0;

function acquireDelayHistogram(resolutionMs: number): ELDHistogram {
  if (!shared) {
    shared = monitorEventLoopDelay({ resolution: resolutionMs });
    shared.enable();
  }
  users++;
  return shared;
}

function releaseDelayHistogram(): void {
  if (--users > 0) return;
  shared?.disable();
  shared = undefined;
  users = 0;
}
export interface LoopSampler {
  readonly collect: () => void;
  readonly stop: () => void;
}

export function sampleEventLoop(store: SignalStore, resolutionMs = 10): LoopSampler {
  const delay = acquireDelayHistogram(resolutionMs);
  let stopped = false;
  const p50 = store.series('loopDelayP50');
  const p90 = store.series('loopDelayP90');
  const p99 = store.series('loopDelayP99');
  const max = store.series('loopDelayMax');
  const utilization = store.series('loopUtilization');
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    collect() {
      // No sample since the last collection (two scrapes within one resolution): keep the values.
      if (delay.count > 0) {
        p50.set(delay.percentile(50) / 1e9);
        p90.set(delay.percentile(90) / 1e9);
        p99.set(delay.percentile(99) / 1e9);
        max.set(delay.max / 1e9);
        delay.reset();
      }
      const now = performance.eventLoopUtilization();
      utilization.set(performance.eventLoopUtilization(now, previous).utilization);
      previous = now;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      releaseDelayHistogram();
    },
  };
}
