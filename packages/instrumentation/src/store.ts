import {
  attributes,
  emittedDefinitions,
  OVERFLOW_DESTINATION,
  SEMCONV_OPT_IN_ENV,
  type SignalDefinition,
  type SignalKey,
  signals,
} from '@eventscope/catalog';
import { BoundedMap } from './bounded-map.js';

/**
 * The hot-path store. A label set is resolved once — when a handler is wrapped, or the first time
 * a destination is seen — into a preallocated series; recording an event is then a bucket search
 * and a few float writes. Exporters (prom-client collector, OpenTelemetry MetricProducer, the
 * built-in /metrics server) read the series at scrape or collection time.
 */

/** Label values keyed by OpenTelemetry attribute name; absent or '' means "not set". */
export type LabelValues = Readonly<Record<string, string | undefined>>;

export class HistogramSeries {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly bounds: readonly number[],
    /** Label values in the order of the signal's label names ('' for unset). */
    readonly values: readonly string[],
    /** True when this series is the overflow series of its family. */
    readonly overflow: boolean,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class CounterSeries {
  value = 0;
  constructor(
    readonly values: readonly string[],
    readonly overflow: boolean,
  ) {}
  add(n = 1): void {
    this.value += n;
  }
}

/** Gauges and up-down counters. */
export class GaugeSeries {
  value = 0;
  constructor(
    readonly values: readonly string[],
    readonly overflow: boolean,
  ) {}
  set(v: number): void {
    this.value = v;
  }
  add(n: number): void {
    this.value += n;
  }
}

export type Series = HistogramSeries | CounterSeries | GaugeSeries;

type SeriesFor<K extends SignalKey> = (typeof signals)[K]['kind'] extends 'histogram'
  ? HistogramSeries
  : (typeof signals)[K]['kind'] extends 'counter'
    ? CounterSeries
    : GaugeSeries;

/** All series of one signal. */
export class SignalFamily<S extends Series = Series> {
  readonly series = new Map<string, S>();
  /** Each destination seen, as it is recorded: itself, or `_OVERFLOW` once the budget is spent. */
  private readonly destinations: BoundedMap<string>;
  private readonly destinationIndex: number;

  constructor(
    readonly signal: SignalDefinition,
    destinationBudget: number,
  ) {
    this.destinations = new BoundedMap(destinationBudget, (destination) => destination);
    this.destinationIndex = signal.labels.indexOf(attributes.destination);
  }

  /** The series for a label set, created on first use. Past the destination budget, the overflow series. */
  get(labels: LabelValues): S {
    const names = this.signal.labels;
    const values = new Array<string>(names.length);
    for (let i = 0; i < names.length; i++) values[i] = sanitizeLabelValue(labels[names[i]!]);
    let overflow = false;
    const d = this.destinationIndex;
    if (d >= 0) {
      values[d] = this.destinations.get(values[d]!);
      // `_OVERFLOW` is reserved: a destination of that name is the overflow series, however it came.
      overflow = values[d] === OVERFLOW_DESTINATION;
    }
    const key = values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = this.create(values, overflow);
      this.series.set(key, series);
    }
    return series;
  }

  /**
   * Drop a series from export (a gauge whose value is no longer known: a backlog field the broker
   * stopped telling). A later `get` of its labels makes it anew, at 0.
   */
  remove(series: S): void {
    if (this.series.get(series.values.join('\u0000')) === series)
      this.series.delete(series.values.join('\u0000'));
  }

  /** Number of distinct destinations admitted (not counting the overflow series). */
  get destinationCount(): number {
    return this.destinations.size;
  }

  private create(values: string[], overflow: boolean): S {
    const kind = this.signal.kind;
    if (kind === 'histogram') return new HistogramSeries(this.signal.buckets ?? [], values, overflow) as S;
    if (kind === 'counter') return new CounterSeries(values, overflow) as S;
    return new GaugeSeries(values, overflow) as S;
  }
}

/**
 * Label values come from user data (destination names, error names). They are kept as given —
 * exporters escape them — except that an absent value becomes '' and a value is capped in length,
 * so one pathological name cannot hold megabytes.
 */
const MAX_LABEL_VALUE_LENGTH = 256;
export function sanitizeLabelValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : String(value);
  return s.length > MAX_LABEL_VALUE_LENGTH ? s.slice(0, MAX_LABEL_VALUE_LENGTH) : s;
}

export interface SignalStoreOptions {
  /** Distinct destinations per signal before new ones fold into `_OVERFLOW`. Default 1000. */
  destinationBudget?: number;
  /**
   * Which names a signal its semantic convention renamed is exported under, as a comma-separated
   * `OTEL_SEMCONV_STABILITY_OPT_IN` list: `v8js` the new names only, `v8js/dup` both, neither the
   * old names only. Default: the environment variable when the store is created.
   */
  semconvOptIn?: string;
}

export class SignalStore {
  readonly destinationBudget: number;
  readonly semconvOptIn: string | undefined;
  private readonly exported = new Map<SignalDefinition, readonly SignalDefinition[]>();
  private readonly families = new Map<SignalKey, SignalFamily>();
  private readonly collectHooks = new Set<() => void>();

  constructor(options: SignalStoreOptions = {}) {
    const budget = options.destinationBudget ?? 1000;
    if (!Number.isInteger(budget) || budget < 1) {
      throw new TypeError(
        `destinationBudget must be a positive integer, got ${String(options.destinationBudget)}`,
      );
    }
    this.destinationBudget = budget;
    this.semconvOptIn = options.semconvOptIn ?? process.env[SEMCONV_OPT_IN_ENV];
  }

  /** The definitions (names) a signal's series are exported under: its own, its successor's, or both. */
  exportedAs(signal: SignalDefinition): readonly SignalDefinition[] {
    let defs = this.exported.get(signal);
    if (!defs) {
      defs = emittedDefinitions(signal, this.semconvOptIn);
      this.exported.set(signal, defs);
    }
    return defs;
  }

  family<K extends SignalKey>(key: K): SignalFamily<SeriesFor<K>> {
    let family = this.families.get(key);
    if (!family) {
      const signal = signals[key] as SignalDefinition | undefined;
      if (!signal) throw new Error(`unknown signal "${String(key)}"`);
      family = new SignalFamily(signal, this.destinationBudget);
      this.families.set(key, family);
    }
    return family as SignalFamily<SeriesFor<K>>;
  }

  /** Resolve a series once; keep the returned object and record into it on the hot path. */
  series<K extends SignalKey>(key: K, labels: LabelValues = {}): SeriesFor<K> {
    return this.family(key).get(labels);
  }

  /** Every family that has at least one series, for exporters. */
  *allFamilies(): IterableIterator<SignalFamily> {
    for (const family of this.families.values()) if (family.series.size > 0) yield family;
  }

  /**
   * Register a function run before every export (runtime gauges sample heap and loop delay here).
   * Returns a function that unregisters it.
   */
  onCollect(hook: () => void): () => void {
    this.collectHooks.add(hook);
    return () => this.collectHooks.delete(hook);
  }

  /** Run the collect hooks. A failing hook is counted, never thrown to the exporter's caller. */
  collect(): void {
    for (const hook of this.collectHooks) {
      try {
        hook();
      } catch {
        this.series('instrumentationErrors', { [attributes.component]: 'collect' }).add(1);
      }
    }
  }
}

/** The store wrappers use unless given another. */
export const defaultStore = new SignalStore();
