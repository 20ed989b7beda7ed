import type { SignalKey } from '@eventscope/catalog';
import { label, num, type Queries, sum } from './vocabulary.js';

/**
 * The derived quantities, each defined once: dashboards, alerts, recording rules, `report` and
 * `preview` evaluate these same expressions. Each takes the labels to keep and the window.
 */

/** The `le` label value a bucket bound is exposed with (`0.25`, `1`, `+Inf`). */
export const leValue = (bound: number) => (bound === Number.POSITIVE_INFINITY ? '+Inf' : num(bound));

/** The matcher that selects the bucket of upper bound `bound` (the one place bucket bounds are matched). */
export const bucketBound = (bound: number) => `${label.le}="${leValue(bound)}"`;

/** Events processed per second. */
export function throughput(q: Queries, by: readonly string[], window: string): string {
  return q.sumRate(by, 'processDuration', 'count', window);
}

/**
 * Share of processed events that failed: failures over all, and 0 (not "no data") where
 * events flowed without a failure.
 */
export function errorRatio(q: Queries, by: readonly string[], window: string): string {
  const all = q.sumRate(by, 'processDuration', 'count', window);
  const failed = q.sumRate(by, 'processDuration', 'count', window, [`${label.errorType}!=""`]);
  return `(${failed} or 0 * ${all}) / ${all}`;
}

/** Share of processed events that succeeded (the availability SLI). */
export function successShare(q: Queries, by: readonly string[], window: string): string {
  return `1 - (${errorRatio(q, by, window)})`;
}

/** Share of a histogram's observations at or under `bound` (a bucket bound): latency and freshness SLIs. */
export function shareWithin(
  q: Queries,
  signal: SignalKey,
  bound: number,
  by: readonly string[],
  window: string,
): string {
  return `${q.sumRate(by, signal, 'bucket', window, [bucketBound(bound)])} / ${q.sumRate(by, signal, 'count', window)}`;
}

/** p-quantile of a histogram signal (`0.99` → p99). */
export function percentile(
  q: Queries,
  p: number,
  signal: SignalKey,
  by: readonly string[],
  window: string,
): string {
  return q.quantile(p, signal, by, window);
}

/** Share of wall time spent in GC pauses (seconds of GC per second), per process or summed by `by`. */
export function gcTimeShare(q: Queries, by: readonly string[], window: string): string {
  return q.sumRate(by, 'gcDuration', 'sum', window);
}

/** Share of handler time that GC pauses overlapped: GC time inside running handlers over handler time. */
export function handlerTimeInGc(q: Queries, by: readonly string[], window: string): string {
  return `${q.sumRate(by, 'gcOverlap', 'value', window)} / ${q.sumRate(by, 'processDuration', 'sum', window)}`;
}

/** V8 heap in use, summed over spaces (and over instances, unless `by` keeps them). */
export function heapUsed(q: Queries, by: readonly string[]): string {
  return sum(by, q.instant('heapUsed'));
}
