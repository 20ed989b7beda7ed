import { createRequire } from 'node:module';
import {
  labelName,
  metricName,
  prometheusType,
  type SignalDefinition,
  type SignalKey,
  signalList,
} from '@eventscope/catalog';
import { reportFault } from '../faults.js';
import { type CounterSeries, type GaugeSeries, HistogramSeries, type SignalStore } from '../store.js';

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
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface PromClientMetricData {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: PromClientValue[];
  aggregator: 'sum';
}

/** Everything eventscope registered into one registry: the stores it reads. */
class RegistryBinding {
  readonly stores = new Set<SignalStore>();
  readonly metrics: CatalogMetric[] = [];
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
  readonly aggregator = 'sum' as const;
  private readonly labelNames: readonly string[];

  constructor(
    private readonly signal: SignalDefinition,
    private readonly binding: RegistryBinding,
  ) {
    this.name = metricName(signal, 'prometheus');
    this.registeredName = this.name;
    this.help = signal.help;
    this.type = prometheusType(signal);
    this.labelNames = signal.labels.map(labelName);
  }

  get(): Promise<PromClientMetricData> {
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

  /** prom-client's `register.resetMetrics()` calls this; eventscope's counters are never reset. */
  reset(): void {}

  private appendValues(store: SignalStore, values: PromClientValue[]): void {
    const family = store.family(this.signal.key as SignalKey);
    const base = metricName(this.signal, 'prometheus');
    for (const series of family.series.values()) {
      const labels: Record<string, string> = {};
      for (let i = 0; i < this.labelNames.length; i++) {
        const value = series.values[i];
        if (value) labels[this.labelNames[i]!] = value;
      }
      if (series instanceof HistogramSeries) {
        const counts = series.counts;
        let running = 0;
        for (let i = 0; i < counts.length; i++) {
          running += counts[i]!;
          const bound = series.bounds[i];
          values.push({
            labels: { ...labels, le: bound === undefined ? '+Inf' : bound },
            value: running,
            metricName: `${base}_bucket`,
          });
        }
        values.push({ labels, value: series.sum, metricName: `${base}_sum` });
        values.push({ labels, value: series.count, metricName: `${base}_count` });
      } else {
        values.push({ labels, value: (series as CounterSeries | GaugeSeries).value });
      }
    }
  }
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
    for (const signal of signalList) binding.metrics.push(new CatalogMetric(signal, binding));
  }
  binding.stores.add(store);
  // Also after `register.clear()`, which drops every registered metric.
  for (const metric of binding.metrics) {
    if (target.getSingleMetric && target.getSingleMetric(metric.registeredName) === metric) continue;
    try {
      target.registerMetric(metric);
    } catch (error) {
      reportFault('prom-client', error, store);
    }
  }
}
