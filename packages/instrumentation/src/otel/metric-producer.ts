import { createRequire } from 'node:module';
import { INSTRUMENTATION_SCOPE, type SignalDefinition } from '@eventscope/catalog';
import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { reportFault } from '../faults.js';
import {
  type CounterSeries,
  defaultStore,
  type GaugeSeries,
  type HistogramSeries,
  type Series,
  type SignalFamily,
  type SignalStore,
} from '../store.js';

/**
 * eventscope's series as an OpenTelemetry SDK `MetricProducer`. Give it to a `MetricReader`
 * (`metricProducers: [createMetricProducer()]` on `PrometheusExporter` or
 * `PeriodicExportingMetricReader`) and every reader exports the very same numbers the prom-client
 * path shows — read from the store at collection time, never recorded through the SDK per event.
 *
 * Histograms become explicit-bucket HISTOGRAM points with the catalog's bounds (in seconds: the
 * OTel exporters' default buckets are sized for milliseconds), counters monotonic SUMs, up-down
 * counters non-monotonic SUMs and gauges GAUGEs; all cumulative since the producer was created.
 */

const require = createRequire(import.meta.url);
const { version: SCOPE_VERSION } = require('../../package.json') as { version: string };

/**
 * The instrumentation scope eventscope's metrics carry (`otel_scope_name` on the OTel exporter):
 * the catalog's `INSTRUMENTATION_SCOPE`, which the otel-flavor queries select.
 */
export const instrumentationScope = { name: INSTRUMENTATION_SCOPE, version: SCOPE_VERSION } as const;

const attributesBySeries = new WeakMap<Series, Attributes>();

/** A series' label values as OpenTelemetry attributes, leaving out unset ones; built once. */
function attributesOf(signal: SignalDefinition, series: Series): Attributes {
  let attributes = attributesBySeries.get(series);
  if (!attributes) {
    attributes = {};
    for (let i = 0; i < signal.labels.length; i++) {
      const value = series.values[i];
      if (value) attributes[signal.labels[i]!] = value;
    }
    attributesBySeries.set(series, Object.freeze(attributes));
  }
  return attributes;
}

function histogramValue(series: HistogramSeries): Histogram {
  return {
    buckets: { boundaries: series.bounds as number[], counts: Array.from(series.counts) },
    sum: series.sum,
    count: series.count,
  };
}

/** One family under one of the names it is exported under (`signal`: its definition or its successor's). */
function metricData(
  family: SignalFamily,
  signal: SignalDefinition,
  startTime: HrTime,
  endTime: HrTime,
): MetricData {
  const descriptor = {
    name: signal.name,
    description: signal.help,
    unit: signal.unit,
    valueType: ValueType.DOUBLE,
  };
  const aggregationTemporality = AggregationTemporality.CUMULATIVE;
  if (signal.kind === 'histogram') {
    const dataPoints: DataPoint<Histogram>[] = [];
    for (const series of family.series.values()) {
      dataPoints.push({
        startTime,
        endTime,
        attributes: attributesOf(signal, series),
        value: histogramValue(series as HistogramSeries),
      });
    }
    return { descriptor, aggregationTemporality, dataPointType: DataPointType.HISTOGRAM, dataPoints };
  }
  const dataPoints: DataPoint<number>[] = [];
  for (const series of family.series.values()) {
    dataPoints.push({
      startTime,
      endTime,
      attributes: attributesOf(signal, series),
      value: (series as CounterSeries | GaugeSeries).value,
    });
  }
  if (signal.kind === 'gauge') {
    return { descriptor, aggregationTemporality, dataPointType: DataPointType.GAUGE, dataPoints };
  }
  return {
    descriptor,
    aggregationTemporality,
    dataPointType: DataPointType.SUM,
    isMonotonic: signal.kind === 'counter',
    dataPoints,
  };
}

/** A `MetricProducer` reading a store (default: the shared store the wrappers record into). */
export function createMetricProducer(store: SignalStore = defaultStore): MetricProducer {
  const startTime = hrTime();
  return {
    async collect(): Promise<CollectionResult> {
      const errors: unknown[] = [];
      const metrics: MetricData[] = [];
      try {
        store.collect();
        const endTime = hrTime();
        for (const family of store.allFamilies()) {
          for (const signal of store.exportedAs(family.signal)) {
            metrics.push(metricData(family, signal, startTime, endTime));
          }
        }
      } catch (error) {
        reportFault('otel-producer', error, store);
        errors.push(error);
      }
      return {
        // Readers replace this with their MeterProvider's resource.
        resourceMetrics: {
          resource: emptyResource(),
          scopeMetrics: [{ scope: instrumentationScope, metrics }],
        },
        errors,
      };
    },
  };
}
