import {
  attributes,
  labelName,
  metricName,
  type SignalDefinition,
  type SignalKey,
  signals,
} from '@eventscope/catalog';
import type { ResolvedOptions } from './options.js';

/**
 * PromQL built from the signal catalog. No metric or label name is spelled here: selectors come
 * from `metricName(signal, flavor)` and `labelName(attribute)`, and a selector only filters on the
 * labels its signal carries, so a panel never silently matches nothing.
 */

/** Dashboard variables and the label each one filters on. */
export const variableLabels = {
  job: 'job',
  instance: 'instance',
  system: labelName(attributes.system),
  destination: labelName(attributes.destination),
  consumer_group: labelName(attributes.consumerGroup),
} as const;
export type FilterVariable = keyof typeof variableLabels;

/** The rate window Grafana picks from the scrape interval and the panel's step. */
export const RATE_INTERVAL = '$__rate_interval';

export type SeriesPart = 'bucket' | 'sum' | 'count' | 'value';

const quote = (value: string) => JSON.stringify(value);

export class PromQL {
  constructor(
    private readonly options: ResolvedOptions,
    /** Evaluate every selector this far in the past (`1d`, `1w`): the regression baselines. */
    readonly offset?: string,
  ) {}

  /** The same queries, evaluated `offset` ago. */
  ago(offset: string): PromQL {
    return new PromQL(this.options, offset);
  }

  private get offsetClause(): string {
    return this.offset ? ` offset ${this.offset}` : '';
  }

  /** A metric name for the configured flavor (with `_bucket`/`_sum`/`_count` for histogram parts). */
  name(signal: SignalKey, part: SeriesPart = 'value'): string {
    const def: SignalDefinition = signals[signal];
    const base = metricName(def, this.options.flavor);
    if (def.kind === 'histogram') {
      if (part === 'value') throw new Error(`${def.name} is a histogram; select its bucket, sum or count`);
      return `${base}_${part}`;
    }
    if (part !== 'value') throw new Error(`${def.name} is a ${def.kind}; it has no ${part} series`);
    return base;
  }

  /** `name{user selectors, job/instance, every variable label the signal has, extra matchers}`. */
  select(signal: SignalKey, part: SeriesPart = 'value', extra: readonly string[] = []): string {
    const carried = new Set(signals[signal].labels.map(labelName));
    const matchers = Object.entries(this.options.selectors).map(
      ([label, value]) => `${label}=${quote(value)}`,
    );
    for (const [variable, label] of Object.entries(variableLabels)) {
      if (label === 'job' || label === 'instance' || carried.has(label))
        matchers.push(`${label}=~"$${variable}"`);
    }
    matchers.push(...extra);
    return `${this.name(signal, part)}{${matchers.join(', ')}}`;
  }

  /** An instant selector (gauges), with the offset when there is one. */
  instant(signal: SignalKey, extra: readonly string[] = []): string {
    return `${this.select(signal, 'value', extra)}${this.offsetClause}`;
  }

  /** A range selector over `window`, with the offset when there is one. */
  range(signal: SignalKey, part: SeriesPart, window: string, extra: readonly string[] = []): string {
    return `${this.select(signal, part, extra)}[${window}]${this.offsetClause}`;
  }

  /** Per-second rate of a counter, or of a histogram's `_count`/`_sum`/`_bucket`. */
  rate(
    signal: SignalKey,
    part: SeriesPart = 'value',
    extra: readonly string[] = [],
    window = RATE_INTERVAL,
  ): string {
    return `rate(${this.range(signal, part, window, extra)})`;
  }

  /** `histogram_quantile(q, sum by (le, …) (rate(…_bucket[…])))`. */
  quantile(q: number, signal: SignalKey, by: readonly string[] = [], window = RATE_INTERVAL): string {
    return `histogram_quantile(${q}, ${sum(['le', ...by], this.rate(signal, 'bucket', [], window))})`;
  }

  /** Mean of a histogram over the window: rate of sum over rate of count. */
  mean(signal: SignalKey, by: readonly string[] = [], window = RATE_INTERVAL): string {
    return `${sum(by, this.rate(signal, 'sum', [], window))} / ${sum(by, this.rate(signal, 'count', [], window))}`;
  }

  /** A label of the catalog, as Prometheus spells it. */
  label(attribute: string): string {
    return labelName(attribute);
  }
}

/** `sum by (a, b) (expr)`, or `sum(expr)` when grouping by nothing. */
export function sum(by: readonly string[], expr: string): string {
  return by.length ? `sum by (${by.join(', ')}) (${expr})` : `sum(${expr})`;
}

/** `max by (…) (expr)` for gauges where several instances report the same thing. */
export function max(by: readonly string[], expr: string): string {
  return by.length ? `max by (${by.join(', ')}) (${expr})` : `max(${expr})`;
}
