import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attributes, durationBuckets, signals } from '@eventscope/catalog';
import { freePort } from '@eventscope/testkit';
import { SpanKind, trace } from '@opentelemetry/api';
import { DataPointType, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createMetricProducer, instrumentationScope } from '../src/otel/metric-producer.js';
import { startTelemetry } from '../src/otel/telemetry.js';
import { SignalStore } from '../src/store.js';
import { heapAfterGc } from './support/heap.js';
import { recordEvents } from './support/recorded-events.js';
import { parseExposition } from './support/text-format.js';

describe('createMetricProducer', () => {
  it('exports histograms in seconds with the catalog buckets, counters as monotonic sums, gauges as gauges', async () => {
    const { store, processed } = recordEvents();
    const { resourceMetrics, errors } = await createMetricProducer(store).collect();
    expect(errors).toEqual([]);
    expect(resourceMetrics.scopeMetrics).toHaveLength(1);
    const [scope] = resourceMetrics.scopeMetrics;
    expect(scope!.scope).toEqual(instrumentationScope);
    const byName = new Map(scope!.metrics.map((m) => [m.descriptor.name, m]));

    const duration = byName.get(signals.processDuration.name) as HistogramMetricData;
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(duration.descriptor.unit).toBe('s');
    const point = duration.dataPoints.find(
      (p) =>
        p.attributes[attributes.destination] === 'orders.created' && !(attributes.errorType in p.attributes),
    )!;
    expect(point.value.buckets.boundaries).toEqual([...durationBuckets]);
    expect(point.value.buckets.counts).toHaveLength(durationBuckets.length + 1);
    expect(point.value.buckets.counts.reduce((a, b) => a + b, 0)).toBe(point.value.count);
    const total = duration.dataPoints
      .filter((p) => p.attributes[attributes.destination] === 'orders.created')
      .reduce((n, p) => n + p.value.count, 0);
    expect(total).toBe(processed.get('orders.created'));

    const consumed = byName.get(signals.consumedMessages.name) as SumMetricData;
    expect(consumed.dataPointType).toBe(DataPointType.SUM);
    expect(consumed.isMonotonic).toBe(true);
    const inFlight = byName.get(signals.inFlight.name) as SumMetricData;
    expect(inFlight.dataPointType).toBe(DataPointType.SUM);
    expect(inFlight.isMonotonic).toBe(false);
    expect(byName.get(signals.heapUsed.name)?.dataPointType).toBe(DataPointType.GAUGE);
  });

  it('reads the store at every collection: later events show up, counts are cumulative', async () => {
    const store = new SignalStore();
    const producer = createMetricProducer(store);
    const series = store.series('consumedMessages', { [attributes.system]: 'inprocess' });
    series.add(2);
    const first = await producer.collect();
    series.add(3);
    const second = await producer.collect();
    const value = (r: typeof first) =>
      (r.resourceMetrics.scopeMetrics[0]!.metrics[0] as SumMetricData).dataPoints[0]!.value;
    expect(value(first)).toBe(2);
    expect(value(second)).toBe(5);
  });
});

describe('startTelemetry', () => {
  it('serves eventscope series through the OTel Prometheus exporter on a port of its choosing', async () => {
    const { store } = recordEvents();
    const telemetry = await startTelemetry({
      serviceName: 'checkout',
      metrics: 'prometheus',
      prometheus: { port: 0 },
      store,
    });
    try {
      expect(telemetry.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const { samples } = parseExposition(await (await fetch(telemetry.metricsUrl!)).text());
      expect(samples.find((s) => s.name === 'target_info')?.labels.service_name).toBe('checkout');
      expect(samples.some((s) => s.name === 'messaging_process_duration_bucket')).toBe(true);
    } finally {
      await telemetry.shutdown();
    }
    await expect(fetch(telemetry.metricsUrl!)).rejects.toThrow();
  });

  it('samples traces at the given ratio and can be started again after shutdown', async () => {
    for (const [sampling, expected] of [
      [0, 0],
      [1, 20],
    ] as const) {
      const spans = new InMemorySpanExporter();
      const processor = new SimpleSpanProcessor({ exporter: spans });
      const telemetry = await startTelemetry({
        serviceName: 'checkout',
        metrics: 'none',
        sampling,
        traces: [processor],
      });
      try {
        const tracer = trace.getTracer('test');
        for (let i = 0; i < 20; i++) tracer.startSpan('orders process', { kind: SpanKind.CONSUMER }).end();
        await processor.forceFlush();
        expect(spans.getFinishedSpans()).toHaveLength(expected);
      } finally {
        await telemetry.shutdown();
      }
    }
  });

  it('rejects a sampling ratio outside 0..1 and OTLP without an endpoint', async () => {
    await expect(startTelemetry({ serviceName: 's', metrics: 'none', sampling: 2 })).rejects.toThrow(
      /sampling/,
    );
    await expect(startTelemetry({ serviceName: 's', metrics: 'otlp' })).rejects.toThrow(/otlpEndpoint/);
  });

  it('keeps the app running with bounded memory when the OTLP endpoint refuses connections', async () => {
    const port = await freePort(); // nothing listens there
    const store = new SignalStore();
    const telemetry = await startTelemetry({
      serviceName: 'checkout',
      metrics: 'otlp',
      otlpEndpoint: `http://127.0.0.1:${port}`,
      exportIntervalMs: 50,
      exportTimeoutMs: 500,
      store,
    });
    const tracer = trace.getTracer('test');
    const consumed = store.series('consumedMessages', { [attributes.system]: 'inprocess' });
    const seconds = Number(process.env.EVENTSCOPE_OTLP_FAULT_SECONDS ?? 4);
    const runFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        for (let i = 0; i < 200; i++) {
          tracer.startSpan('orders process', { kind: SpanKind.CONSUMER }).end();
          consumed.add(1);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      await runFor(1000); // exporters reach their steady state: full span queue, failing pushes
      const before = heapAfterGc();
      await runFor(seconds * 1000);
      const growth = heapAfterGc() - before;
      expect(growth).toBeLessThan(5 * 1024 * 1024);
      expect(consumed.value).toBeGreaterThan(1000);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('shuts down within its timeout when the collector never answers, and says what it dropped', async () => {
    // A collector that accepts connections and never answers: exporters wait out their timeouts.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const store = new SignalStore();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const telemetry = await startTelemetry({
        serviceName: 'checkout',
        metrics: 'otlp',
        otlpEndpoint: `http://127.0.0.1:${port}`,
        shutdownTimeoutMs: 1000,
        store,
      });
      for (let i = 0; i < 100; i++) trace.getTracer('test').startSpan('orders process').end();
      const started = performance.now();
      const result = await telemetry.shutdown();
      const took = performance.now() - started;
      expect(took).toBeLessThan(2500);
      expect(result.flushed).toBe(false);
      expect(result.dropped).toMatch(/after 1000 ms; the spans and metric points still queued were dropped/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((w) => w.includes('OpenTelemetry shutdown'))).toBe(true);
      expect(store.series('instrumentationErrors', { [attributes.component]: 'otel-shutdown' }).value).toBe(
        1,
      );
    } finally {
      process.off('warning', onWarning);
      silent.closeAllConnections();
      silent.close();
    }
  });
});
