import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type IMetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { listenForScrapes, type MetricsServer } from '../export/server.js';
import { reportFault } from '../faults.js';
import { defaultStore, type SignalStore } from '../store.js';
import { createMetricProducer } from './metric-producer.js';

/**
 * One call that sets up OpenTelemetry for a service on `@opentelemetry/sdk-node`: service name,
 * where metrics go (the OTel Prometheus exporter, OTLP, or nowhere), traces over OTLP, and the
 * trace sampling ratio. eventscope's series reach every metric reader through its MetricProducer.
 */

export interface TelemetryOptions {
  /** `service.name` of the resource. */
  serviceName: string;
  /**
   * `prometheus`: the OTel `PrometheusExporter` answers scrapes on `prometheus.host:port`;
   * `otlp`: pushed to `otlpEndpoint` every `exportIntervalMs`; `none`: no metric reader.
   */
  metrics: 'prometheus' | 'otlp' | 'none';
  /** Where the Prometheus exporter listens. Default 127.0.0.1:9464; port 0 picks a free one. */
  prometheus?: { host?: string; port?: number };
  /** OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318` (`/v1/metrics`, `/v1/traces` are appended). */
  otlpEndpoint?: string;
  /** OTLP metric push interval. Default 60 s. */
  exportIntervalMs?: number;
  /** How long one OTLP export (with its retries) may take before it is given up. Default 10 s. */
  exportTimeoutMs?: number;
  /** Share of new traces sampled, 0 to 1 (parent-based: a sampled parent is followed). Default 1. */
  sampling?: number;
  /**
   * Where spans go: `otlp` (to `otlpEndpoint`), `none`, or span processors of your own.
   * Default: `otlp` when `otlpEndpoint` is set, else `none`.
   */
  traces?: 'otlp' | 'none' | SpanProcessor[];
  /** The store whose series are exported. Default: the shared store. */
  store?: SignalStore;
  /**
   * How long `shutdown()` waits for exporters to flush before it gives up. Default 3 s. An
   * unreachable collector would otherwise hold the process for every exporter's timeout and
   * retries (8.7 s measured with the defaults).
   */
  shutdownTimeoutMs?: number;
}

export interface ShutdownResult {
  /** Whether every exporter flushed in time. */
  flushed: boolean;
  /** What was given up, when something was (also emitted as a process warning). */
  dropped?: string;
}

export interface RunningTelemetry {
  /**
   * Flush and stop exporters, the metrics server and the SDK, within `shutdownTimeoutMs`. When
   * the flush does not finish in time, what was still queued is dropped, and said: a process
   * warning (`EventscopeWarning`), a count in `eventscope.instrumentation.errors`, and the result.
   */
  shutdown(): Promise<ShutdownResult>;
  /** `http://host:port/metrics` when `metrics: 'prometheus'`. */
  metricsUrl?: string;
}

const withPath = (endpoint: string, path: string) => `${endpoint.replace(/\/+$/, '')}${path}`;

function requireEndpoint(options: TelemetryOptions, what: string): string {
  if (!options.otlpEndpoint) {
    throw new TypeError(`startTelemetry: ${what} over OTLP needs otlpEndpoint (e.g. http://127.0.0.1:4318)`);
  }
  return options.otlpEndpoint;
}

function spanProcessors(options: TelemetryOptions): SpanProcessor[] {
  const traces = options.traces ?? (options.otlpEndpoint ? 'otlp' : 'none');
  if (Array.isArray(traces)) return traces;
  if (traces === 'none') return [];
  const url = withPath(requireEndpoint(options, 'traces'), '/v1/traces');
  return [
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url, timeoutMillis: options.exportTimeoutMs ?? 10_000 }),
    }),
  ];
}

/** Start the OpenTelemetry SDK with eventscope's series on its metric readers. Call once, at startup. */
export async function startTelemetry(options: TelemetryOptions): Promise<RunningTelemetry> {
  const sampling = options.sampling ?? 1;
  if (!(sampling >= 0 && sampling <= 1)) {
    throw new RangeError(`startTelemetry: sampling must be between 0 and 1, got ${String(options.sampling)}`);
  }
  const producer = createMetricProducer(options.store ?? defaultStore);
  const metricReaders: IMetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  if (options.metrics === 'prometheus') {
    // The exporter's own server cannot report the port it picked; ours can, and closes cleanly.
    prometheus = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
    metricReaders.push(prometheus);
  } else if (options.metrics === 'otlp') {
    const url = withPath(requireEndpoint(options, 'metrics'), '/v1/metrics');
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url, timeoutMillis: options.exportTimeoutMs ?? 10_000 }),
        exportIntervalMillis: options.exportIntervalMs ?? 60_000,
        // The reader insists a push ends before the next one starts.
        exportTimeoutMillis: Math.min(options.exportTimeoutMs ?? 10_000, options.exportIntervalMs ?? 60_000),
        metricProducers: [producer],
      }),
    );
  }

  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    metricReaders,
    spanProcessors: spanProcessors(options),
    // Logs are the user's pino's business; without this the SDK would read OTEL_LOGS_EXPORTER.
    logRecordProcessors: [],
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampling) }),
    instrumentations: [],
  });
  sdk.start();

  let server: MetricsServer | undefined;
  if (prometheus) {
    const exporter = prometheus;
    try {
      server = await listenForScrapes(
        { host: options.prometheus?.host ?? '127.0.0.1', port: options.prometheus?.port ?? 9464 },
        (req, res) => exporter.getMetricsRequestHandler(req, res),
      );
    } catch (error) {
      await sdk.shutdown();
      throw error;
    }
  }

  const store = options.store ?? defaultStore;
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  let stopped: Promise<ShutdownResult> | undefined;
  return {
    metricsUrl: server?.url,
    shutdown: () => {
      stopped ??= (async () => {
        await server?.close();
        const result = await flushWithin(sdk, timeoutMs, options, store);
        // Leave the API as it was before start, so telemetry can be started again (tests, reloads).
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
        return result;
      })();
      return stopped;
    },
  };
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 3000;

/**
 * Shut the SDK down (which flushes every exporter), giving up after `timeoutMs`: an unreachable
 * collector is the operator's problem, and must not hold the application's exit.
 */
async function flushWithin(
  sdk: NodeSDK,
  timeoutMs: number,
  options: TelemetryOptions,
  store: SignalStore,
): Promise<ShutdownResult> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  let outcome: 'done' | 'timeout' | Error;
  try {
    outcome = await Promise.race([sdk.shutdown().then(() => 'done' as const), gaveUp]);
  } catch (error) {
    outcome = error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
  if (outcome === 'done') return { flushed: true };
  const where = options.otlpEndpoint ? ` to ${options.otlpEndpoint}` : '';
  const dropped =
    outcome === 'timeout'
      ? `exporters had not flushed${where} after ${timeoutMs} ms; the spans and metric points still queued were dropped`
      : `exporters failed to flush${where} (${outcome.message}); the spans and metric points still queued were dropped`;
  reportFault('otel-shutdown', new Error(dropped), store);
  process.emitWarning(`eventscope: OpenTelemetry shutdown: ${dropped}`, 'EventscopeWarning');
  return { flushed: false, dropped };
}
