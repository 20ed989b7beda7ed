import {
  type PerformanceEntry,
  PerformanceObserver,
  type PerformanceObserverEntryList,
} from 'node:perf_hooks';
import { attributes } from '@eventscope/catalog';
import { reportFault } from '../faults.js';
import type { HistogramSeries, SignalStore } from '../store.js';
import { recordGcPause } from './attribution.js';
import { gcKindIndex, gcKinds } from './gc-kinds.js';

/**
 * GC pauses from perf_hooks. The runtime batches entries: one observer callback can carry several
 * (a burst of minor GCs, a major GC with its weak callbacks). prom-client and OpenTelemetry's
 * runtime-node read only the first entry of each callback; every entry is recorded here, into
 * `v8js.gc.duration` (seconds, buckets from 0.1 ms) and into the attribution ring.
 *
 * One observer serves the whole process; each store that runs runtime metrics adds its series.
 */

let observer: PerformanceObserver | undefined;
const recorders = new Map<SignalStore, readonly HistogramSeries[]>();

interface GcDetail {
  kind?: number;
}

function kindOf(entry: PerformanceEntry): number {
  const detail = (entry as { detail?: GcDetail }).detail;
  // `entry.kind` is the pre-Node 16 spelling, kept for runtimes that still fill only it.
  return gcKindIndex(detail?.kind ?? (entry as { kind?: number }).kind);
}

function onEntries(list: PerformanceObserverEntryList): void {
  try {
    for (const entry of list.getEntries()) {
      const kind = kindOf(entry);
      const seconds = entry.duration / 1000;
      for (const series of recorders.values()) series[kind]!.observe(seconds);
      recordGcPause(entry.startTime, entry.duration, kind);
    }
  } catch (error) {
    reportFault('gc', error);
  }
}

/** Record GC pauses into a store (idempotent); starts the process-wide observer on first use. */
export function observeGc(store: SignalStore): void {
  if (!recorders.has(store)) {
    recorders.set(
      store,
      gcKinds.map((kind) => store.series('gcDuration', { [attributes.gcType]: kind })),
    );
  }
  if (!observer) {
    observer = new PerformanceObserver(onEntries);
    observer.observe({ entryTypes: ['gc'] });
  }
}

/** Stop recording into every store and disconnect the observer. */
export function stopObservingGc(): void {
  observer?.disconnect();
  observer = undefined;
  recorders.clear();
}
