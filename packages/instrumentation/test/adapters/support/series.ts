import type { SignalKey } from '@eventscope/catalog';
import { type CounterSeries, HistogramSeries, type SignalStore } from '../../../src/store.js';

/** Series of a signal whose labels match (attribute name → value). */
export function matching(store: SignalStore, key: SignalKey, labels: Record<string, string> = {}) {
  const family = store.family(key);
  const names = family.signal.labels;
  return [...family.series.values()].filter((series) =>
    Object.entries(labels).every(([name, value]) => series.values[names.indexOf(name)] === value),
  );
}

/** Sum of a counter over the matching series. */
export function counterTotal(
  store: SignalStore,
  key: SignalKey,
  labels: Record<string, string> = {},
): number {
  return matching(store, key, labels).reduce((n, s) => n + (s as CounterSeries).value, 0);
}

/** Count, sum and the largest finite bucket bound reached, over the matching histogram series. */
export function histogramTotals(store: SignalStore, key: SignalKey, labels: Record<string, string> = {}) {
  let count = 0;
  let sum = 0;
  for (const series of matching(store, key, labels)) {
    if (!(series instanceof HistogramSeries)) continue;
    count += series.count;
    sum += series.sum;
  }
  return { count, sum, mean: count ? sum / count : 0 };
}

/** Observations above `seconds` (from the first bucket bound ≥ seconds upward), over the matching series. */
export function countAbove(
  store: SignalStore,
  key: SignalKey,
  labels: Record<string, string>,
  seconds: number,
): number {
  let n = 0;
  for (const series of matching(store, key, labels)) {
    if (!(series instanceof HistogramSeries)) continue;
    const from = series.bounds.findIndex((b) => b >= seconds);
    if (from < 0) n += series.counts[series.bounds.length] ?? 0;
    else for (let i = from + 1; i < series.counts.length; i++) n += series.counts[i] ?? 0;
  }
  return n;
}
