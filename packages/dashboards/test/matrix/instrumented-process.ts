import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { NamingFlavor } from '@eventscope/catalog';
import {
  instrumentHandler,
  renderExposition,
  SignalStore,
  startRuntimeMetrics,
  stopRuntimeMetrics,
} from '@eventscope/instrumentation';
import { createMetricProducer } from '@eventscope/instrumentation/otel';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * This process as a service our users run: eventscope's runtime signals in a store, exported in
 * one naming flavor — `otel` through the OpenTelemetry SDK's `PrometheusExporter` with eventscope's
 * `MetricProducer` on a `MeterProvider`, optionally with `getNodeAutoInstrumentations()` (its
 * defaults) registered on the same provider; `prometheus` through eventscope's own exposition.
 * Every collection also records what the process itself reads from V8 at that moment: the ground
 * truth the queries are checked against.
 */

export interface HeapTruth {
  /** Date.now() when the collection ran. */
  at: number;
  /** Sum of `space_used_size` over every V8 heap space. */
  heapUsed: number;
  heapSizeLimit: number;
}

export interface InstrumentedProcess {
  /** host:port of its /metrics. */
  target: string;
  store: SignalStore;
  truths: HeapTruth[];
  stop(): Promise<void>;
}

export interface ProcessOptions {
  flavor: NamingFlavor;
  /** Register `getNodeAutoInstrumentations()` on the same MeterProvider (otel flavor only). */
  autoInstrumentations?: boolean;
  /** The store's `OTEL_SEMCONV_STABILITY_OPT_IN` list. */
  semconvOptIn?: string;
  /**
   * Events a wrapped handler processes from `orders` (kafka); with auto-instrumentations,
   * instrumentation-kafkajs records as many again into its own instruments.
   */
  events?: number;
}

/** What both record for one processed Kafka message. */
export const KAFKA_EVENT = { system: 'kafka', destination: 'orders' } as const;

interface KafkaInstruments {
  _processDuration: { record(value: number, attributes: Record<string, string>): void };
  _consumedMessages: { add(value: number, attributes: Record<string, string>): void };
}

/**
 * What instrumentation-kafkajs records for a processed message, into its own instruments (its
 * scope, its buckets). No Kafka broker runs here, so its instruments are driven directly.
 */
function recordAsKafkajs(instrumentation: unknown, count: number): void {
  const { _processDuration, _consumedMessages } = instrumentation as KafkaInstruments;
  const attributes = {
    'messaging.system': KAFKA_EVENT.system,
    'messaging.destination.name': KAFKA_EVENT.destination,
    'messaging.operation.name': 'process',
  };
  for (let i = 0; i < count; i++) {
    _processDuration.record(0.002, attributes);
    _consumedMessages.add(1, attributes);
  }
}

async function processEvents(store: SignalStore, count: number): Promise<void> {
  const handler = instrumentHandler(async (_message: unknown) => {}, {
    ...KAFKA_EVENT,
    store,
    runtime: false,
  });
  for (let i = 0; i < count; i++) await handler({});
}

interface Exported {
  kafkajs?: unknown;
  handle: (
    req: Parameters<PrometheusExporter['getMetricsRequestHandler']>[0],
    res: Parameters<PrometheusExporter['getMetricsRequestHandler']>[1],
  ) => void;
  stop: () => Promise<void>;
}

function exportOtel(store: SignalStore, autoInstrumentations: boolean): Exported {
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [createMetricProducer(store)],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  const instrumentations = autoInstrumentations ? getNodeAutoInstrumentations() : [];
  // What registerInstrumentations({ meterProvider }) does for each of them.
  for (const instrumentation of instrumentations) {
    instrumentation.setMeterProvider(provider);
    instrumentation.enable();
  }
  const kafkajs = instrumentations.find(
    (i) => i.instrumentationName === '@opentelemetry/instrumentation-kafkajs',
  );
  return {
    kafkajs,
    handle: (req, res) => exporter.getMetricsRequestHandler(req, res),
    stop: async () => {
      for (const instrumentation of instrumentations) instrumentation.disable();
      await provider.shutdown();
    },
  };
}

function exportPrometheus(store: SignalStore): Exported {
  return {
    handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderExposition(store));
    },
    stop: async () => {},
  };
}

/** Start the instrumented process's runtime signals and serve its /metrics on an ephemeral port. */
export async function startInstrumentedProcess(options: ProcessOptions): Promise<InstrumentedProcess> {
  const store = new SignalStore({ semconvOptIn: options.semconvOptIn ?? '' });
  startRuntimeMetrics({ store, logger: false });
  const truths: HeapTruth[] = [];
  // Registered after the runtime's own hook: read in the same synchronous collection pass.
  store.onCollect(() => {
    let heapUsed = 0;
    for (const space of getHeapSpaceStatistics()) heapUsed += space.space_used_size;
    truths.push({ at: Date.now(), heapUsed, heapSizeLimit: getHeapStatistics().heap_size_limit });
  });
  const exported =
    options.flavor === 'otel'
      ? exportOtel(store, options.autoInstrumentations ?? false)
      : exportPrometheus(store);
  if (options.events) {
    await processEvents(store, options.events);
    if (exported.kafkajs) recordAsKafkajs(exported.kafkajs, options.events);
  }
  // Garbage, so both GC observers record pauses.
  let junk: unknown[] = [];
  const churn = setInterval(() => {
    junk = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `event-${i}` }));
  }, 20);
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) exported.handle(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    store,
    truths,
    stop: async () => {
      clearInterval(churn);
      junk = [];
      void junk;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await exported.stop();
      stopRuntimeMetrics();
    },
  };
}
