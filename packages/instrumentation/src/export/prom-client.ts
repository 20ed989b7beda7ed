import { createRequire } from 'node:module';
import {
  type ClusterAggregator,
  labelName,
  metricName,
  prometheusType,
  type SignalDefinition,
  type SignalKey,
  signalList,
} from '@eventscope/catalog';
import { reportFault } from '../faults.js';
import {
  type CounterSeries,
  type GaugeSeries,
  HistogramSeries,
  type Series,
  type SignalStore,
} from '../store.js';

/**
 * eventscope's series inside a prom-client `Registry`, so a service keeps its own `register`,
 * its default metrics and its own /metrics route, and sees eventscope's series there with no
 * extra line of code.
 *
 * prom-client builds `register.metrics()` from the objects registered with `registerMetric`,
 * asking each for `get()` (name, help, type and values) at scrape time. One such object per
 * catalog signal reads the store's preallocated series when asked; nothing runs per event.
 */

/** The part of prom-client's `Registry` this module uses. */
export interface PromClientRegistryLike {
  registerMetric(metric: object): void;
  getSingleMetric?(name: string): unknown;
}

interface PromClientValue {
  labels: Readonly<Record<string, string | number>>;
  /** Labels prom-client formats once per object (it caches their text by identity). */
  sharedLabels?: Readonly<Record<string, string>>;
  value: number;
  metricName?: string;
}

interface PromClientMetricData {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: PromClientValue[];
  aggregator: ClusterAggregator;
}

/** Everything eventscope registered into one registry: the stores it reads. */
class RegistryBinding {
  readonly stores = new Set<SignalStore>();
  /** One object per name a store exports a signal under, by that name. */
  readonly metrics = new Map<string, CatalogMetric>();
  private collecting = false;

  /** Run every store's collect hooks once per scrape, however many families are asked. */
  collectOnce(): void {
    if (this.collecting) return;
    this.collecting = true;
    // prom-client asks every registered metric for get() in one synchronous pass.
    queueMicrotask(() => {
      this.collecting = false;
    });
    for (const store of this.stores) store.collect();
  }
}

/** The metric-like object prom-client sees for one catalog signal. */
class CatalogMetric {
  /** prom-client strips `_total` from counter names in place when serving OpenMetrics. */
  name: string;
  readonly registeredName: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /**
   * How `AggregatorRegistry` (cluster mode) combines the workers' values in the primary: the
   * catalog's choice, `sum` for counters and histograms, per gauge its meaning's (heap limit: one
   * worker's; start time: the latest).
   */
  readonly aggregator: ClusterAggregator;
  private readonly labelNames: readonly string[];
  /** Per series, under this object's name (a renamed signal's series are exported under two). */
  private readonly shapes = new WeakMap<Series, SeriesShape>();

  constructor(
    private readonly signal: SignalDefinition,
    private readonly binding: RegistryBinding,
  ) {
    this.name = metricName(signal, 'prometheus');
    this.registeredName = this.name;
    this.help = signal.help;
    this.type = prometheusType(signal);
    this.aggregator = signal.aggregator;
    this.labelNames = signal.labels.map(labelName);
  }

  /**
   * What `register.metrics()` asks for: bucket values carry only `le` as their own label and the
   * series' labels as `sharedLabels`, whose text prom-client formats once per object.
   */
  getForPromString(): Promise<PromClientMetricData> {
    this.binding.collectOnce();
    const values: PromClientValue[] = [];
    for (const store of this.binding.stores) {
      try {
        this.appendValues(store, values);
      } catch (error) {
        reportFault('prom-client', error, store);
      }
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  /** Every value with all its labels, for `getMetricsAsJSON()` and cluster aggregation. */
  async get(): Promise<PromClientMetricData> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ labels, sharedLabels, ...rest }) => ({
      ...rest,
      labels: { ...sharedLabels, ...labels },
    }));
    return data;
  }

  /** prom-client's `register.resetMetrics()` calls this; eventscope's counters are never reset. */
  reset(): void {}

  private appendValues(store: SignalStore, values: PromClientValue[]): void {
    const family = store.family(this.signal.key as SignalKey);
    if (!store.exportedAs(family.signal).some((def) => def.name === this.signal.name)) return;
    for (const series of family.series.values()) {
      const shape = this.shapeOf(series);
      if (series instanceof HistogramSeries) {
        const counts = series.counts;
        let running = 0;
        for (let i = 0; i < counts.length; i++) {
          running += counts[i]!;
          values.push({
            labels: shape.buckets[i]!,
            sharedLabels: shape.labels,
            value: running,
            metricName: shape.bucketName,
          });
        }
        values.push({ labels: shape.labels, value: series.sum, metricName: shape.sumName });
        values.push({ labels: shape.labels, value: series.count, metricName: shape.countName });
      } else {
        values.push({ labels: shape.labels, value: (series as CounterSeries | GaugeSeries).value });
      }
    }
  }

  /** A series' label objects, built on its first export and reused by every scrape after. */
  private shapeOf(series: Series): SeriesShape {
    let shape = this.shapes.get(series);
    if (shape) return shape;
    const labels: Record<string, string> = {};
    for (let i = 0; i < this.labelNames.length; i++) {
      const value = series.values[i];
      if (value) labels[this.labelNames[i]!] = value;
    }
    const buckets = series instanceof HistogramSeries ? leLabels(series.bounds) : [];
    shape = {
      labels: Object.freeze(labels),
      buckets,
      bucketName: `${this.registeredName}_bucket`,
      sumName: `${this.registeredName}_sum`,
      countName: `${this.registeredName}_count`,
    };
    this.shapes.set(series, shape);
    return shape;
  }
}

const leLabelsByBounds = new WeakMap<readonly number[], Readonly<{ le: string | number }>[]>();

/** `{ le }` objects per bucket, shared by every series with the same bounds (the catalog's arrays). */
function leLabels(bounds: readonly number[]): Readonly<{ le: string | number }>[] {
  let labels = leLabelsByBounds.get(bounds);
  if (!labels) {
    labels = [...bounds.map((le) => Object.freeze({ le })), Object.freeze({ le: '+Inf' })];
    leLabelsByBounds.set(bounds, labels);
  }
  return labels;
}

interface SeriesShape {
  labels: Readonly<Record<string, string>>;
  buckets: Readonly<Record<string, string | number>>[];
  bucketName: string;
  sumName: string;
  countName: string;
}

const bindings = new WeakMap<object, RegistryBinding>();
let globalRegistry: PromClientRegistryLike | null | undefined;

/** prom-client's default `register`, or null when prom-client is not installed. */
export function promClientGlobalRegistry(): PromClientRegistryLike | null {
  if (globalRegistry === undefined) {
    try {
      const require = createRequire(import.meta.url);
      const promClient = require('prom-client') as { register?: PromClientRegistryLike };
      globalRegistry = promClient.register ?? null;
    } catch {
      globalRegistry = null;
    }
  }
  return globalRegistry;
}

function isRegistry(value: unknown): value is PromClientRegistryLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PromClientRegistryLike).registerMetric === 'function'
  );
}

/**
 * Export a store's series through a prom-client registry: `'global'` for prom-client's default
 * `register` (silently nothing when prom-client is not installed), a `Registry`, or `false` for
 * none. Idempotent per (store, registry); several stores may share one registry. A registration
 * failure (a name taken by another metric) is counted and logged, never thrown.
 */
export function ensurePromClientCollector(store: SignalStore, registry: unknown | 'global' | false): void {
  if (registry === false || registry === undefined || registry === null) return;
  const target = registry === 'global' ? promClientGlobalRegistry() : registry;
  if (!target) return;
  if (!isRegistry(target)) {
    reportFault('prom-client', new TypeError('registry is not a prom-client Registry'), store);
    return;
  }
  let binding = bindings.get(target);
  if (!binding) {
    binding = new RegistryBinding();
    bindings.set(target, binding);
  }
  binding.stores.add(store);
  for (const signal of signalList) {
    for (const def of store.exportedAs(signal)) {
      const name = metricName(def, 'prometheus');
      if (!binding.metrics.has(name)) binding.metrics.set(name, new CatalogMetric(def, binding));
    }
  }
  // Also after `register.clear()`, which drops every registered metric.
  for (const metric of binding.metrics.values()) {
    if (target.getSingleMetric && target.getSingleMetric(metric.registeredName) === metric) continue;
    try {
      target.registerMetric(metric);
    } catch (error) {
      reportFault('prom-client', error, store);
    }
  }
}
