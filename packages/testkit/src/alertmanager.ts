import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { needBinary } from './components.js';
import { freePort, type ManagedProcess, startProcess, tempDir, waitFor } from './process.js';

export const ALERTMANAGER_HINT = 'apt-get install prometheus-alertmanager';

export function alertmanagerBinary(): string | undefined {
  return needBinary('prometheus-alertmanager', ALERTMANAGER_HINT);
}

export function amtoolBinary(): string | undefined {
  return needBinary('amtool', ALERTMANAGER_HINT);
}

export interface RunningAlertmanager {
  url: string;
  /** host:port, for Prometheus' alerting config. */
  address: string;
  process: ManagedProcess;
  stop: () => Promise<void>;
}

/** Start a real Alertmanager on 127.0.0.1 (no clustering) with the given alertmanager.yml. */
export async function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  const binary = alertmanagerBinary();
  if (!binary) throw new Error(`prometheus-alertmanager is not installed (${ALERTMANAGER_HINT})`);
  const dir = tempDir('eventscope-am-');
  const port = await freePort();
  writeFileSync(join(dir.path, 'alertmanager.yml'), config);
  const proc = startProcess(binary, [
    `--config.file=${join(dir.path, 'alertmanager.yml')}`,
    `--storage.path=${join(dir.path, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, {
      timeoutMs: 30_000,
      what: 'Alertmanager ready',
    });
  } catch (error) {
    await proc.stop();
    dir.remove();
    throw new Error(`${String(error)}\n${proc.output()}`);
  }
  return {
    url,
    address: `127.0.0.1:${port}`,
    process: proc,
    stop: async () => {
      await proc.stop();
      dir.remove();
    },
  };
}

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface WebhookReceiver {
  url: string;
  /** Every notification received, in order, with the time it arrived. */
  notifications: { receivedAt: number; receiver: string; status: string; alerts: WebhookAlert[] }[];
  /** Resolves with the first alert (and its arrival time) matching the predicate. */
  waitForAlert: (
    match: (alert: WebhookAlert) => boolean,
    timeoutMs?: number,
  ) => Promise<{ alert: WebhookAlert; receivedAt: number }>;
  close: () => Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

/** An HTTP server on 127.0.0.1 that records Alertmanager webhook notifications. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: WebhookReceiver['notifications'] = [];
  const server = createServer(async (req, res) => {
    try {
      const body = JSON.parse(await readBody(req));
      notifications.push({
        receivedAt: Date.now(),
        receiver: body.receiver,
        status: body.status,
        alerts: body.alerts ?? [],
      });
      res.writeHead(200).end('ok');
    } catch {
      res.writeHead(400).end('bad payload');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    notifications,
    waitForAlert: (match, timeoutMs = 120_000) =>
      waitFor(
        () => {
          for (const n of notifications) {
            const alert = n.alerts.find(match);
            if (alert) return { alert, receivedAt: n.receivedAt };
          }
          return undefined;
        },
        { timeoutMs, intervalMs: 250, what: 'a matching alert at the webhook' },
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
