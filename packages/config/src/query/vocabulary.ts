import {
  attributes,
  definitionUnder,
  INSTRUMENTATION_SCOPE,
  labelName,
  metricName,
  SCOPE_LABEL,
  type SignalKey,
  signals,
} from '@eventscope/catalog';
import type { ResolvedConfig } from '../resolve.js';
import { quote } from '../selectors.js';

/**
 * The PromQL vocabulary: every selector, rate and quantile the dashboards, alerts, `report` and
 * `preview` write comes from here. Metric names come from the catalog for the configured flavor,
 * the user's selectors are added to every selector with one meaning, and a selector refuses a
 * label its signal never carries (it would silently match nothing).
 */

export type HistogramPart = 'bucket' | 'count' | 'sum';
export type SeriesPart = HistogramPart | 'value';

/** Labels the catalog names, as Prometheus spells them. */
export const label = {
  system: labelName(attributes.system),
  destination: labelName(attributes.destination),
  operationType: labelName(attributes.operationType),
  consumerGroup: labelName(attributes.consumerGroup),
  errorType: labelName(attributes.errorType),
  gcType: labelName(attributes.gcType),
  heapSpace: labelName(attributes.heapSpace),
  slowCause: labelName(attributes.slowCause),
  settleOutcome: labelName(attributes.settleOutcome),
  propagationError: labelName(attributes.propagationError),
  component: labelName(attributes.component),
  loopState: labelName(attributes.loopState),
  cpuMode: labelName(attributes.cpuMode),
  job: 'job',
  instance: 'instance',
  le: 'le',
} as const;

/** Where a set of queries is evaluated: the dashboards add their variables, regressions an offset. */
export interface QueryScope {
  /** Matchers a selector of `signal` carries after the configured selectors (e.g. Grafana variables). */
  readonly filters?: (signal: SignalKey) => readonly string[];
  /** Evaluate every selector this far in the past (`1d`, `1w`). */
  readonly offset?: string;
}

const MATCHER_LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)/;

export class Queries {
  constructor(
    readonly config: ResolvedConfig,
    readonly scope: QueryScope = {},
  ) {}

  /** The same queries, evaluated `offset` ago. */
  ago(offset: string): Queries {
    return new Queries(this.config, { ...this.scope, offset });
  }

  /** The same queries with other per-signal filters (or none). */
  withFilters(filters: QueryScope['filters']): Queries {
    return new Queries(this.config, { ...this.scope, filters });
  }

  /** The label that names a service (`job` by default). */
  get service(): string {
    return this.config.serviceLabel;
  }

  /** Labels destination-level figures keep: service, messaging system, destination. */
  get byDestination(): string[] {
    return [this.service, label.system, label.destination];
  }

  /** Labels process-level figures keep: service and instance. */
  get byInstance(): string[] {
    return [this.service, label.instance];
  }

  /**
   * The Prometheus name of a signal (or of one of its histogram series) in this flavor, under its
   * successor's name when the config selects the new semantic-convention names.
   */
  name(signal: SignalKey, part: SeriesPart = 'value'): string {
    const def = signals[signal];
    const base = metricName(definitionUnder(def, this.config.semconvNames), this.config.flavor);
    if (def.kind === 'histogram') {
      if (part === 'value') return base;
      return `${base}_${part}`;
    }
    if (part !== 'value') throw new Error(`${def.name} is a ${def.kind}; it has no ${part} series`);
    return base;
  }

  /**
   * Labels only eventscope's own series carry: in the otel flavor its instrumentation scope, since
   * other instrumentations (runtime-node, kafkajs) write series into the same families.
   */
  get ownLabels(): Readonly<Record<string, string>> {
    return this.config.flavor === 'otel' ? { [SCOPE_LABEL]: INSTRUMENTATION_SCOPE } : {};
  }

  /** `ownLabels` as matchers, which every selector carries first. */
  get ownSeries(): readonly string[] {
    return Object.entries(this.ownLabels).map(([name, value]) => equals(name, value));
  }

  /** Whether a series of `signal` can carry `labelName` (its own labels, target labels, `le` on buckets). */
  carries(signal: SignalKey, name: string, part: SeriesPart = 'value'): boolean {
    if (part === 'bucket' && name === label.le) return true;
    if (this.config.flavor === 'otel' && name === SCOPE_LABEL) return true;
    if (this.config.targetLabels.includes(name) || name === this.service) return true;
    return signals[signal].labels.some((attribute) => labelName(attribute) === name);
  }

  /**
   * `name{own scope, configured selectors, scope filters, extra}`; refuses a matcher on a label the
   * signal never carries.
   */
  select(signal: SignalKey, part: SeriesPart = 'value', extra: readonly string[] = []): string {
    for (const matcher of extra) {
      const name = MATCHER_LABEL.exec(matcher)?.[1];
      if (!name) throw new Error(`not a label matcher: ${matcher}`);
      if (!this.carries(signal, name, part)) {
        throw new Error(
          `${this.name(signal, part)} never carries label ${name}; a matcher on it selects nothing`,
        );
      }
    }
    const all = [
      ...this.ownSeries,
      ...this.config.matchers,
      ...(this.scope.filters?.(signal) ?? []),
      ...extra,
    ];
    return `${this.name(signal, part)}${all.length ? `{${all.join(', ')}}` : ''}`;
  }

  /** `up{configured selectors}`: Prometheus' own scrape health, present for every target. */
  scrapeHealth(extra: readonly string[] = []): string {
    const all = [...this.config.matchers, ...extra];
    return `${SCRAPE_HEALTH_SERIES}${all.length ? `{${all.join(', ')}}` : ''}`;
  }

  private get offsetClause(): string {
    return this.scope.offset ? ` offset ${this.scope.offset}` : '';
  }

  /** An instant selector (gauges), with the offset when there is one. */
  instant(signal: SignalKey, extra: readonly string[] = []): string {
    return `${this.select(signal, 'value', extra)}${this.offsetClause}`;
  }

  /** `selector[window]`, with the offset when there is one. */
  range(signal: SignalKey, part: SeriesPart, window: string, extra: readonly string[] = []): string {
    return `${this.select(signal, part, extra)}[${window}]${this.offsetClause}`;
  }

  /** `fn(selector[window] offset o)`: rate, increase, avg_over_time, changes … */
  overTime(
    fn: string,
    signal: SignalKey,
    part: SeriesPart,
    window: string,
    extra: readonly string[] = [],
  ): string {
    return `${fn}(${this.range(signal, part, window, extra)})`;
  }

  /** Per-second rate of a counter, or of a histogram's `_count`/`_sum`/`_bucket`. */
  rate(signal: SignalKey, part: SeriesPart, window: string, extra: readonly string[] = []): string {
    return this.overTime('rate', signal, part, window, extra);
  }

  increase(signal: SignalKey, part: SeriesPart, window: string, extra: readonly string[] = []): string {
    return this.overTime('increase', signal, part, window, extra);
  }

  /** `sum by (labels) (rate(…))`. */
  sumRate(
    by: readonly string[],
    signal: SignalKey,
    part: SeriesPart,
    window: string,
    extra: readonly string[] = [],
  ) {
    return sum(by, this.rate(signal, part, window, extra));
  }

  /** `histogram_quantile(q, sum by (labels, le) (rate(bucket[window])))`. */
  quantile(
    q: number,
    signal: SignalKey,
    by: readonly string[],
    window: string,
    extra: readonly string[] = [],
  ): string {
    return `histogram_quantile(${num(q)}, ${sum([...by, label.le], this.rate(signal, 'bucket', window, extra))})`;
  }

  /** Mean of a histogram over the window: rate of sum over rate of count. */
  mean(signal: SignalKey, by: readonly string[], window: string): string {
    return `${this.sumRate(by, signal, 'sum', window)} / ${this.sumRate(by, signal, 'count', window)}`;
  }
}

/** Prometheus' own scrape-health series: not an eventscope metric, present for every target. */
export const SCRAPE_HEALTH_SERIES = 'up';

/** `by (a, b)`. */
export const by = (labels: readonly string[]) => `by (${labels.join(', ')})`;
/** `on (a, b)`. */
export const on = (labels: readonly string[]) => `on (${labels.join(', ')})`;

/** `sum by (a, b) (expr)`, or `sum(expr)` when grouping by nothing. */
export function sum(labels: readonly string[], expr: string): string {
  return labels.length ? `sum ${by(labels)} (${expr})` : `sum(${expr})`;
}

/** `max by (…) (expr)`, for gauges several instances report alike. */
export function max(labels: readonly string[], expr: string): string {
  return labels.length ? `max ${by(labels)} (${expr})` : `max(${expr})`;
}

/** A number as PromQL writes it, without binary noise. */
export const num = (value: number) => String(Number(value.toPrecision(12)));

/** An equality matcher, quoted as PromQL quotes it. */
export const equals = (name: string, value: string) => `${name}=${quote(value)}`;
