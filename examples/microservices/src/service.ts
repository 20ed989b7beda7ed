import { serveMetrics } from '@eventscope/instrumentation';
import { instrumentNatsConnection } from '@eventscope/instrumentation/nats';
import { startTelemetry } from '@eventscope/instrumentation/otel';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { connect, JSONCodec } from 'nats';
import { type Registration, registerTarget } from './discovery.js';
import { SpanFileExporter } from './span-file.js';

/**
 * One service of the pipeline: ingest publishes orders, enrich adds a price and passes them on,
 * store keeps a running total. Each is its own process with its own /metrics, trace context
 * travels in NATS headers, and each registers itself for Prometheus' file-based discovery.
 */
export type Role = 'ingest' | 'enrich' | 'store';
export const roles: readonly Role[] = ['ingest', 'enrich', 'store'];

export const subjects = {
  received: 'shop.orders.received',
  enriched: 'shop.orders.enriched',
} as const;

export interface ServiceOptions {
  role: Role;
  natsUrl: string;
  /** /metrics port; 0 picks a free one. */
  port: number;
  /** Folder of file_sd target files; none: no registration. */
  discoveryDir?: string;
  /** File finished spans are appended to; none: no tracing SDK. */
  spanFile?: string;
  /** Orders per second (ingest). Default 20. */
  rate?: number;
  /** `instance` is what Prometheus sets; this distinguishes replicas in logs. */
  name?: string;
}

export interface RunningService {
  role: Role;
  metricsUrl: string;
  registration?: Registration;
  /** What the store service has stored so far. */
  stored(): { orders: number; totalCents: number };
  stop(): Promise<void>;
}

interface Order {
  id: string;
  items: number;
  priceCents?: number;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const name = options.name ?? options.role;
  const telemetry = options.spanFile
    ? await startTelemetry({
        serviceName: name,
        metrics: 'none',
        traces: [new SimpleSpanProcessor({ exporter: new SpanFileExporter(options.spanFile, options.role) })],
      })
    : undefined;
  const nc = instrumentNatsConnection(await connect({ servers: options.natsUrl, name }), {
    registry: false,
  });
  const codec = JSONCodec<Order>();
  const metrics = await serveMetrics({ port: options.port, registry: false });
  const timers: NodeJS.Timeout[] = [];
  // The "database" of the store service: a real one would write each order here.
  const stored = { orders: 0, totalCents: 0 };

  if (options.role === 'ingest') {
    let next = 0;
    const interval = 1000 / (options.rate ?? 20);
    timers.push(
      setInterval(() => {
        const order: Order = { id: `${process.pid}-${next++}`, items: 1 + (next % 5) };
        nc.publish(subjects.received, codec.encode(order));
      }, interval),
    );
  } else if (options.role === 'enrich') {
    nc.subscribe(subjects.received, {
      queue: 'enrich',
      callback: (error, message) => {
        if (error) return;
        const order = codec.decode(message.data);
        nc.publish(subjects.enriched, codec.encode({ ...order, priceCents: order.items * 1250 }));
      },
    });
  } else {
    nc.subscribe(subjects.enriched, {
      queue: 'store',
      callback: (error, message) => {
        if (error) return;
        stored.orders++;
        stored.totalCents += codec.decode(message.data).priceCents ?? 0;
      },
    });
  }

  const address = new URL(metrics.url).host;
  const registration = options.discoveryDir
    ? registerTarget(options.discoveryDir, options.role, address, { replica: name })
    : undefined;

  let stopped: Promise<void> | undefined;
  return {
    role: options.role,
    metricsUrl: metrics.url,
    ...(registration ? { registration } : {}),
    stored: () => ({ ...stored }),
    stop: () => {
      stopped ??= (async () => {
        registration?.deregister();
        for (const t of timers) clearInterval(t);
        await nc.drain();
        await metrics.close();
        await telemetry?.shutdown();
      })();
      return stopped;
    },
  };
}
