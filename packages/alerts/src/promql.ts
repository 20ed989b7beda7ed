import { attributes, labelName, metricName, type SignalKey, signals } from '@eventscope/catalog';
import { formatDuration } from './profile.js';
import type { ResolvedConfig } from './validate.js';

/**
 * PromQL building blocks. Every metric name comes from the catalog through `metricName`, every
 * label name through `labelName`; the user's selectors are added to every series selector.
 */

/** Prometheus' own scrape-health series: not an eventscope metric, present for every target. */
export const SCRAPE_HEALTH_SERIES = 'up';

export type HistogramPart = 'bucket' | 'count' | 'sum';

export const label = {
  system: labelName(attributes.system),
  destination: labelName(attributes.destination),
  consumerGroup: labelName(attributes.consumerGroup),
  errorType: labelName(attributes.errorType),
  gcType: labelName(attributes.gcType),
  instance: 'instance',
  le: 'le',
} as const;

/** The queries of one configuration: names for its flavor, its selectors, its windows. */
export class Queries {
  constructor(readonly config: ResolvedConfig) {}

  get service(): string {
    return this.config.serviceLabel;
  }

  /** Labels destination-level alerts keep: service, messaging system, destination. */
  get byDestination(): string[] {
    return [this.service, label.system, label.destination];
  }

  /** Labels process-level alerts keep: service and instance. */
  get byInstance(): string[] {
    return [this.service, label.instance];
  }

  /** The Prometheus name of a signal (or of one of its histogram series) in this flavor. */
  name(signal: SignalKey, part?: HistogramPart): string {
    const base = metricName(signals[signal], this.config.flavor);
    return part ? `${base}_${part}` : base;
  }

  /** `name{selectors…, extra…}`. */
  select(signal: SignalKey, part?: HistogramPart, extra: string[] = []): string {
    return `${this.name(signal, part)}${this.braces(extra)}`;
  }

  /** `up{selectors…}`. */
  scrapeHealth(extra: string[] = []): string {
    return `${SCRAPE_HEALTH_SERIES}${this.braces(extra)}`;
  }

  braces(extra: string[] = []): string {
    const all = [...this.config.matchers, ...extra];
    return all.length ? `{${all.join(', ')}}` : '';
  }

  window(seconds: number = this.config.profile.rateSeconds): string {
    return formatDuration(seconds);
  }
}

export const by = (labels: readonly string[]) => `by (${labels.join(', ')})`;
export const on = (labels: readonly string[]) => `on (${labels.join(', ')})`;

export const sumBy = (labels: readonly string[], expr: string) => `sum ${by(labels)} (${expr})`;
export const maxBy = (labels: readonly string[], expr: string) => `max ${by(labels)} (${expr})`;

/** `fn(selector[window] offset o)`. */
export function overRange(
  fn: string,
  selector: string,
  windowSeconds: number,
  offsetSeconds?: number,
): string {
  const offset = offsetSeconds ? ` offset ${formatDuration(offsetSeconds)}` : '';
  return `${fn}(${selector}[${formatDuration(windowSeconds)}]${offset})`;
}

export const rate = (selector: string, windowSeconds: number, offsetSeconds?: number) =>
  overRange('rate', selector, windowSeconds, offsetSeconds);

export const increase = (selector: string, windowSeconds: number, offsetSeconds?: number) =>
  overRange('increase', selector, windowSeconds, offsetSeconds);

/** `histogram_quantile(q, sum by (labels, le) (rate(bucket[w])))`. */
export function quantile(
  q: number,
  labels: readonly string[],
  bucketSelector: string,
  windowSeconds: number,
  offsetSeconds?: number,
): string {
  return `histogram_quantile(${q}, ${sumBy([...labels, label.le], rate(bucketSelector, windowSeconds, offsetSeconds))})`;
}

/** A number as PromQL writes it, without binary noise. */
export const num = (value: number) => String(Number(value.toPrecision(12)));

/** The `le` label value a bucket bound is exposed with (`0.25`, `1`, `+Inf`). */
export const leValue = (bound: number) => (bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound));
