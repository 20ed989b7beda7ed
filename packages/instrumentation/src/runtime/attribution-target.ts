import { attributes, attributeValues } from '@eventscope/catalog';
import type { CounterSeries, LabelValues, SignalStore } from '../store.js';

/** The dominant causes a slow event is counted by (the catalog's `eventscope.slow.cause` values). */
const slowCauses = attributeValues[attributes.slowCause];
export type SlowCause = (typeof slowCauses)[number];

/**
 * Where the attribution of one consumer's events on one destination is recorded: the GC overlap
 * counter, the slow-event counters by cause, and the threshold above which an event is slow.
 */
export interface AttributionTarget {
  readonly system: string;
  readonly destination: string;
  /** `store.series('gcOverlap', { system, destination, consumerGroup })`, in seconds. */
  readonly gcOverlap: CounterSeries;
  readonly slowByCause: Readonly<Record<SlowCause, CounterSeries>>;
  /** Events at least this long (ms) are reported as slow; 0 disables slow-event reporting. */
  readonly slowThresholdMs: number;
}

/** Resolve the series an event's attribution records into, once per (handler, destination). */
export function createAttributionTarget(
  store: SignalStore,
  labels: LabelValues,
  slowThresholdMs: number,
): AttributionTarget {
  const base = {
    [attributes.system]: labels[attributes.system],
    [attributes.destination]: labels[attributes.destination],
    [attributes.consumerGroup]: labels[attributes.consumerGroup],
  };
  const slowByCause = {} as Record<SlowCause, CounterSeries>;
  for (const cause of slowCauses) {
    slowByCause[cause] = store.series('slowEvents', { ...base, [attributes.slowCause]: cause });
  }
  const threshold = Number.isFinite(slowThresholdMs) && slowThresholdMs > 0 ? slowThresholdMs : 0;
  return Object.freeze({
    system: base[attributes.system] ?? '',
    destination: base[attributes.destination] ?? '',
    gcOverlap: store.series('gcOverlap', base),
    slowByCause: Object.freeze(slowByCause),
    slowThresholdMs: threshold,
  });
}
