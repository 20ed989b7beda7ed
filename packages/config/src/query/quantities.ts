import type { SignalKey } from '@eventscope/catalog';
import type { ResolvedSlo } from '../resolve.js';
import { equals, label, max, num, on, type Queries, sum } from './vocabulary.js';

/**
 * The derived quantities, each defined once: dashboards, alerts, recording rules, `report` and
 * `preview` evaluate these same expressions. Each takes the labels to keep and the window.
 */

/** The `le` label value a bucket bound is exposed with (`0.25`, `1`, `+Inf`). */
export const leValue = (bound: number) => (bound === Number.POSITIVE_INFINITY ? '+Inf' : num(bound));

/**
 * The matcher that selects the bucket of upper bound `bound` — the one place bucket bounds are
 * matched. Prometheus 3 stores a classic histogram's `le` in float form (an exposed `le="5"` is
 * queried as `le="5.0"`), Prometheus 2 as exposed: a whole-number bound matches both forms, so an
 * SLI finds its bucket on either.
 */
export function bucketBound(bound: number): string {
  const exposed = leValue(bound);
  return Number.isInteger(bound) ? `${label.le}=~"${exposed}|${exposed}[.]0"` : `${label.le}="${exposed}"`;
}

/** Events processed per second. */
export function throughput(q: Queries, by: readonly string[], window: string): string {
  return q.sumRate(by, 'processDuration', 'count', window);
}

/**
 * Share of processed events that failed: failed calls (`failedEvents`) over all calls. The failure
 * counter has no `error.type` and is at 0 from the moment a destination is known, so the ratio is
 * 0 (not "no data") where events flowed without a failure, and the first failure of every type is
 * seen (a series per `error.type` appears at 1, which rate() cannot see).
 */
export function errorRatio(q: Queries, by: readonly string[], window: string): string {
  const all = q.sumRate(by, 'processDuration', 'count', window);
  return `${q.sumRate(by, 'failedEvents', 'value', window)} / ${all}`;
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

/**
 * Share of time the event loop was busy over the window (0 to 1): active time over active plus
 * idle time, from the cumulative `nodejs.eventloop.time`, so any scraper at any interval reads the
 * same figure; summed by `by`, it is the mean over the processes (or cluster workers) it groups.
 */
export function loopUtilization(q: Queries, by: readonly string[], window: string): string {
  const active = q.sumRate(by, 'loopTime', 'value', window, [equals(label.loopState, 'active')]);
  return `${active} / ${q.sumRate(by, 'loopTime', 'value', window)}`;
}

/** p-quantile of the event-loop delay over the window (`0.99` → p99), across the processes `by` groups. */
export function loopDelay(q: Queries, p: number, by: readonly string[], window: string): string {
  return percentile(q, p, 'loopDelay', by, window);
}

/**
 * CPU cores the processes used over the window (CPU seconds per second): by `cpu.mode` (user,
 * system), or in one mode only.
 */
export function cpuCores(
  q: Queries,
  by: readonly string[],
  window: string,
  mode?: 'user' | 'system',
): string {
  if (mode) return q.sumRate(by, 'cpuTime', 'value', window, [equals(label.cpuMode, mode)]);
  return q.sumRate([...by, label.cpuMode], 'cpuTime', 'value', window);
}

/** V8 heap in use, summed over spaces (and over instances, unless `by` keeps them). */
export function heapUsed(q: Queries, by: readonly string[]): string {
  return sum(by, q.instant('heapUsed'));
}

/**
 * Share of processed events that failed, per error type (`error.type`): the failures of each type
 * over all events, the breakdown of the error ratio (a type's first failure, which makes its
 * series at 1, is counted in the error ratio but not here).
 */
export function errorRatioByType(q: Queries, by: readonly string[], window: string): string {
  const failed = q.sumRate([...by, label.errorType], 'processDuration', 'count', window, [
    `${label.errorType}!=""`,
  ]);
  const all = q.sumRate(by, 'processDuration', 'count', window);
  return `${failed} / ignoring (${label.errorType}) group_left ${all}`;
}

/** The queries narrowed to the service and destination an objective applies to (when it names them). */
export function sloScope(q: Queries, slo: Pick<ResolvedSlo, 'service' | 'destination'>): Queries {
  const own = [
    ...(slo.service !== undefined ? [equals(q.service, slo.service)] : []),
    ...(slo.destination !== undefined ? [equals(label.destination, slo.destination)] : []),
  ];
  if (own.length === 0) return q;
  const filters = q.scope.filters;
  return q.withFilters((signal) => [...(filters?.(signal) ?? []), ...own]);
}

/**
 * Share of bad events of a service level objective, within its service and destination: failed
 * events (errors), events processed in over the threshold (latency), events older than the
 * threshold when processing starts (freshness). Its burn rate is this over the error budget.
 */
export function sloBadShare(
  q: Queries,
  slo: Pick<ResolvedSlo, 'kind' | 'threshold' | 'service' | 'destination'>,
  by: readonly string[],
  window: string,
): string {
  const scoped = sloScope(q, slo);
  if (slo.kind === 'errors') return errorRatio(scoped, by, window);
  if (slo.threshold === undefined) throw new Error(`a ${slo.kind} objective needs a threshold`);
  const signal: SignalKey = slo.kind === 'latency' ? 'processDuration' : 'eventAge';
  return `1 - (${shareWithin(scoped, signal, slo.threshold, by, window)})`;
}

/** V8 heap in use over the heap size limit, per `by` (which should keep the instance: each process has its own limit). */
export function heapUsedOfLimit(q: Queries, by: readonly string[]): string {
  return `${heapUsed(q, by)} / ${on(by)} ${max(by, q.instant('heapSizeLimit'))}`;
}

/**
 * Share of consumed events whose trace or timing headers could not be read, and 0 (not "no data")
 * where events were consumed without a bad header.
 */
export function propagationErrorRatio(q: Queries, by: readonly string[], window: string): string {
  const unreadable = q.sumRate(by, 'propagationErrors', 'value', window);
  const consumed = q.sumRate(by, 'consumedMessages', 'value', window);
  return `(${unreadable} or 0 * ${consumed}) / ${consumed}`;
}

/**
 * What the broker reports of a consumer's backlog (`eventscope.backlog.*`). Every worker or
 * replica that watches a destination reads the same broker count, so the series of several
 * instances combine with `max`, never `sum`; grouped without the consumer group, `max` shows the
 * group furthest behind.
 */
export type BacklogSignal = Extract<
  SignalKey,
  'backlogWaiting' | 'backlogUnsettled' | 'backlogOldestAge' | 'backlogRedelivered' | 'backlogConsumers'
>;

/** A broker-reported figure per `by`, the same whichever instance reads it. */
export function brokerFigure(q: Queries, signal: BacklogSignal, by: readonly string[]): string {
  return max(by, q.instant(signal));
}

/** Messages the broker holds for the consumer (group) and has not delivered yet. */
export const backlogWaiting = (q: Queries, by: readonly string[]) => brokerFigure(q, 'backlogWaiting', by);

/** Messages delivered to the consumer (group) and not settled yet. */
export const backlogUnsettled = (q: Queries, by: readonly string[]) =>
  brokerFigure(q, 'backlogUnsettled', by);

/** Age of the oldest waiting message, seconds: the consumer's lag in time (where the broker can tell it). */
export const backlogOldestAge = (q: Queries, by: readonly string[]) =>
  brokerFigure(q, 'backlogOldestAge', by);

/** Consumers the broker sees attached. */
export const backlogConsumers = (q: Queries, by: readonly string[]) =>
  brokerFigure(q, 'backlogConsumers', by);

/**
 * Messages per second the backlog grew by over the window (negative while it drains): the slope
 * `deriv` fits to each instance's readings, the steepest of the instances that read the same count.
 */
export function backlogGrowth(q: Queries, by: readonly string[], window: string): string {
  return max(by, q.overTime('deriv', 'backlogWaiting', 'value', window));
}
