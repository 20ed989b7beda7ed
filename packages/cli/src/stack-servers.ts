import { join } from 'node:path';
import { UnavailableError } from './errors.js';
import { SupervisedProcess } from './supervised-process.js';

/**
 * The stack's two servers. Each is ready only when its own process is alive and the server
 * answering on its port is provably that process — not another stack's Alertmanager or a
 * Prometheus left over from an earlier run, which would answer `/-/ready` just the same.
 */
export interface ServerStart {
  binary: string;
  /** The stack's folder: the server's data goes below it. */
  dir: string;
  port: number;
  /** Stop waiting (the stack is being stopped). */
  abort: AbortSignal;
  /** Called as soon as the process exists, so its death is watched from the first moment. */
  onSpawn: (child: SupervisedProcess) => void;
  timeoutMs?: number;
}

export class StartAborted extends Error {
  override name = 'StartAborted';
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function answersReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function startServer(
  start: ServerStart,
  name: string,
  flag: string,
  args: string[],
  ours: (url: string) => Promise<boolean>,
): Promise<SupervisedProcess> {
  if (start.abort.aborted) throw new StartAborted();
  const address = `127.0.0.1:${start.port}`;
  const url = `http://${address}`;
  const child = new SupervisedProcess(name, start.binary, [...args, `--web.listen-address=${address}`], {
    address,
    flag,
  });
  start.onSpawn(child);
  try {
    await child.waitReady(
      async () => ((await answersReady(url)) ? ((await ours(url)) ? 'ready' : 'foreign') : 'not-ready'),
      {
        url,
        abort: start.abort,
        ...(start.timeoutMs !== undefined ? { timeoutMs: start.timeoutMs } : {}),
        foreign: () =>
          new UnavailableError(
            `another server answers at ${url}, not the ${name} this stack started; pass ${flag} with a free port`,
          ),
      },
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  if (start.abort.aborted) throw new StartAborted();
  return child;
}

/** Alertmanager, routing every alert to `webhookUrl`. */
export function startAlertmanager(
  start: ServerStart & { configFile: string; webhookUrl: string },
): Promise<SupervisedProcess> {
  const spawnedAt = Date.now();
  return startServer(
    start,
    'Alertmanager',
    '--alertmanager-port',
    [
      `--config.file=${start.configFile}`,
      `--storage.path=${join(start.dir, 'alertmanager-data')}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    // Ours: started after we spawned it, and routing to this stack's webhook.
    async (url) => {
      const status = await getJson(`${url}/api/v2/status`);
      const since = Date.parse(String(status?.uptime ?? ''));
      const routesHere = String(status?.config?.original ?? '').includes(start.webhookUrl);
      return routesHere && !(since < spawnedAt - 2000);
    },
  );
}

/** Prometheus, with its lifecycle API and the given alert resend delay. */
export function startPrometheus(
  start: ServerStart & { configFile: string; resendDelay: string },
): Promise<SupervisedProcess> {
  const storage = join(start.dir, 'prometheus-data');
  return startServer(
    start,
    'Prometheus',
    '--prometheus-port',
    [
      `--config.file=${start.configFile}`,
      `--storage.tsdb.path=${storage}`,
      '--web.enable-lifecycle',
      `--rules.alert.resend-delay=${start.resendDelay}`,
      '--log.level=warn',
    ],
    // Ours: it keeps its data in this stack's folder.
    async (url) => (await getJson(`${url}/api/v1/status/flags`))?.data?.['storage.tsdb.path'] === storage,
  );
}
