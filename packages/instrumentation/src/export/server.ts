import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportFault } from '../faults.js';
import { defaultStore, type SignalStore } from '../store.js';
import { PROMETHEUS_CONTENT_TYPE, renderExposition } from './exposition.js';
import { ensurePromClientCollector, promClientGlobalRegistry } from './prom-client.js';

/**
 * A small /metrics HTTP server. It listens on 127.0.0.1 unless told otherwise: exposing metrics
 * on every interface is a decision (containers need `host: '0.0.0.0'`), not a default.
 */

export interface ServeMetricsOptions {
  /** Interface to listen on. Default `127.0.0.1`; `0.0.0.0` for containers. */
  host?: string;
  /** Port; 0 picks a free one. Default 9464 (the port registered for Prometheus exporters of OpenTelemetry). */
  port?: number;
  /** Path served. Default `/metrics`. */
  path?: string;
  /** The store to expose when no registry is given. Default: the shared store. */
  store?: SignalStore;
  /**
   * Serve a prom-client registry (`'global'` for prom-client's default `register`) instead of
   * eventscope's own exposition; eventscope's series are registered into it, so the response
   * carries them beside the registry's own metrics.
   */
  registry?: unknown | 'global';
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  port: number;
  /** Stop listening and drop open keep-alive connections. */
  close(): Promise<void>;
}

/** What one scrape answers: the body and its content type. */
type ScrapeResponder = () =>
  | Promise<{ body: string; contentType: string }>
  | { body: string; contentType: string };

interface PromClientRegistry {
  metrics(): Promise<string>;
  contentType?: string;
}

function responderFor(options: ServeMetricsOptions): ScrapeResponder {
  const store = options.store ?? defaultStore;
  if (options.registry === undefined || options.registry === false) {
    return () => ({ body: renderExposition(store), contentType: PROMETHEUS_CONTENT_TYPE });
  }
  const registry = (
    options.registry === 'global' ? promClientGlobalRegistry() : options.registry
  ) as PromClientRegistry | null;
  if (!registry || typeof registry.metrics !== 'function') {
    throw new TypeError(
      options.registry === 'global'
        ? 'serveMetrics({ registry: "global" }) needs prom-client installed (npm i prom-client)'
        : 'serveMetrics: registry must be a prom-client Registry',
    );
  }
  ensurePromClientCollector(store, registry);
  return async () => ({
    body: await registry.metrics(),
    contentType: registry.contentType ?? PROMETHEUS_CONTENT_TYPE,
  });
}

/** Serve `/metrics` from eventscope's store or a prom-client registry. */
export function serveMetrics(options: ServeMetricsOptions = {}): Promise<MetricsServer> {
  const store = options.store ?? defaultStore;
  let respond: ScrapeResponder;
  try {
    respond = responderFor(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return listenForScrapes(options, answerScrape(respond, store));
}

/** Handles one request on the metrics path. */
export type ScrapeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A scrape handler from a responder: 200 with the body, or 500 (counted as a fault) when it fails. */
function answerScrape(respond: ScrapeResponder, store: SignalStore = defaultStore): ScrapeHandler {
  return (req, res) => {
    Promise.resolve()
      .then(respond)
      .then(
        ({ body, contentType }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => {
          reportFault('metrics-server', error, store);
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('scrape failed\n');
        },
      );
  };
}

/**
 * The HTTP part, shared with the OpenTelemetry path: GET or HEAD on the path is handed to the
 * scrape handler, other paths answer 404, other methods 405.
 */
export async function listenForScrapes(
  options: { host?: string; port?: number; path?: string },
  handleScrape: ScrapeHandler,
): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname !== path) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`Not found; metrics are at ${path}\n`);
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
    } else {
      handleScrape(req, res);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}${path}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
