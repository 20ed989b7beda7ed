import { attributes } from '@eventscope/catalog';
import { type PromQL, RATE_INTERVAL, sum } from '../promql.js';

/**
 * Service-level indicators as ratios of good events to all events, read from the processing-time
 * histogram. `error.type=""` also matches series without the label, i.e. the successes.
 */

/** Share of processed events that succeeded over `window`. */
export function successShare(q: PromQL, window = RATE_INTERVAL): string {
  const errorType = q.label(attributes.errorType);
  return `${sum([], q.rate('processDuration', 'count', [`${errorType}=""`], window))} / ${sum([], q.rate('processDuration', 'count', [], window))}`;
}

/** Share of processed events that finished within `thresholdSeconds` (a bucket bound) over `window`. */
export function processedShare(q: PromQL, thresholdSeconds: number, window = RATE_INTERVAL): string {
  return `${sum([], q.rate('processDuration', 'bucket', [`le="${thresholdSeconds}"`], window))} / ${sum([], q.rate('processDuration', 'count', [], window))}`;
}
