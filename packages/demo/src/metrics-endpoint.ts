import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SignalStore, serveMetrics } from '@eventscope/instrumentation';

/**
 * Where the pipeline's /metrics comes from. `prometheus`: eventscope's own exposition of the
 * store (the prom-client naming). `otel`: the OpenTelemetry SDK's `PrometheusExporter`, fed by
 * eventscope's `MetricProducer` — the same series, named as that exporter names them.
 */
export type MetricsFlavor = 'prometheus' | 'otel';

export interface MetricsEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function openMetricsEndpoint(options: {
  store: SignalStore;
  flavor: MetricsFlavor;
  host: string;
  port: number;
  serviceName: string;
}): Promise<MetricsEndpoint> {
  if (options.flavor === 'prometheus') {
    const served = await serveMetrics({
      host: options.host,
      port: options.port,
      store: options.store,
      registry: false,
    });
    return { url: served.url, port: served.port, close: () => served.close() };
  }
  return openOtelEndpoint(options);
}

async function openOtelEndpoint(options: {
  store: SignalStore;
  host: string;
  port: number;
  serviceName: string;
}): Promise<MetricsEndpoint> {
  // Loaded on demand: the prometheus flavor never pulls in the OpenTelemetry SDK.
  const [{ PrometheusExporter }, { MeterProvider }, { resourceFromAttributes }, { createMetricProducer }] =
    await Promise.all([
      import('@opentelemetry/exporter-prometheus'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/resources'),
      import('@eventscope/instrumentation/otel'),
    ]);
  // The exporter's own server cannot report the port it got when asked for port 0; serve its
  // request handler from ours instead.
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [createMetricProducer(options.store)],
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    readers: [exporter],
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}/metrics`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await provider.shutdown();
    },
  };
}
