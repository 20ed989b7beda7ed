import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedAlert } from './alert-feed.js';

/**
 * The stack's Alertmanager webhook receiver. Alertmanager POSTs notifications to `/`; the demo
 * view (and anyone else) reads the latest state of every alert from `GET /alerts`.
 */
export interface RunningWebhookReceiver {
  /** Where Alertmanager posts, e.g. http://127.0.0.1:9095/ */
  url: string;
  /** Where the alerts are read, e.g. http://127.0.0.1:9095/alerts */
  alertsUrl: string;
  port: number;
  alerts(): ReceivedAlert[];
  /** Called for every alert in every notification, in arrival order. */
  onAlert(listener: (alert: ReceivedAlert) => void): void;
  close(): Promise<void>;
}

interface WebhookPayload {
  alerts?: {
    status?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt?: string;
  }[];
}

const MAX_BODY_BYTES = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('notification too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function toAlert(raw: NonNullable<WebhookPayload['alerts']>[number], receivedAt: number): ReceivedAlert {
  const labels = raw.labels ?? {};
  const annotations = raw.annotations ?? {};
  return {
    name: labels.alertname ?? 'unnamed',
    status: raw.status === 'resolved' ? 'resolved' : 'firing',
    severity: labels.severity ?? '',
    subject:
      labels.messaging_destination_name ??
      labels.destination ??
      labels.service ??
      labels.job ??
      labels.instance ??
      '',
    summary: annotations.summary ?? annotations.description ?? '',
    startsAt: raw.startsAt ?? '',
    receivedAt,
  };
}

export async function startWebhookReceiver(
  options: { host?: string; port?: number } = {},
): Promise<RunningWebhookReceiver> {
  const latest = new Map<string, ReceivedAlert>();
  const listeners: ((alert: ReceivedAlert) => void)[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/alerts') {
      const alerts = [...latest.values()].sort((a, b) => b.receivedAt - a.receivedAt);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ alerts }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, GET' }).end();
      return;
    }
    try {
      const payload = JSON.parse(await readBody(req)) as WebhookPayload;
      const now = Date.now();
      for (const raw of payload.alerts ?? []) {
        const alert = toAlert(raw, now);
        latest.set(`${alert.name}\u0000${alert.subject}\u0000${alert.severity}`, alert);
        for (const listener of listeners) listener(alert);
      }
      res.writeHead(200).end('ok\n');
    } catch {
      res.writeHead(400).end('expected an Alertmanager webhook notification (JSON)\n');
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    alertsUrl: `http://${host}:${port}/alerts`,
    port,
    alerts: () => [...latest.values()],
    onAlert: (listener) => {
      listeners.push(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
