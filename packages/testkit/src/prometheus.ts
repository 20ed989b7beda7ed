import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InstantSample, PrometheusClient } from '@eventscope/config/prometheus-client';
import { needBinary } from './components.js';
import { freePort, type ManagedProcess, startProcess, tempDir, waitFor } from './process.js';

export interface RunningPrometheus {
  url: string;
  port: number;
  dir: string;
  process: ManagedProcess;
  /** The toolkit's Prometheus client, pointed at this server. */
  client: PrometheusClient;
  /** Instant query (the client's); throws on a Prometheus error. */
  query: (expr: string, time?: number) => Promise<InstantSample[]>;
  /** Wait until every active target is up and has been scraped at least once. */
  waitForTargets: (count: number, timeoutMs?: number) => Promise<void>;
  reload: () => Promise<void>;
  stop: () => Promise<void>;
}

export interface PrometheusOptions {
  /** prometheus.yml contents (YAML or JSON text). `{{dir}}` is replaced by the data dir. */
  config: string;
  /** Extra files to write beside the config (rule files, file_sd targets), by name. */
  files?: Record<string, string>;
  args?: string[];
}

/** Install hint shown when the binary is missing. */
export const PROMETHEUS_HINT = 'apt-get install prometheus';

/** The prometheus binary, or undefined (skip) locally; throws in CI. */
export function prometheusBinary(): string | undefined {
  return needBinary('prometheus', PROMETHEUS_HINT);
}

export function promtoolBinary(): string | undefined {
  return needBinary('promtool', PROMETHEUS_HINT);
}

/** Start a real Prometheus on 127.0.0.1 with its data in a temporary directory. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  if (!binary) throw new Error(`prometheus is not installed (${PROMETHEUS_HINT})`);
  const dir = tempDir('eventscope-prom-');
  const port = await freePort();
  writeFileSync(join(dir.path, 'prometheus.yml'), options.config.replaceAll('{{dir}}', dir.path));
  for (const [name, text] of Object.entries(options.files ?? {})) {
    writeFileSync(join(dir.path, name), text.replaceAll('{{dir}}', dir.path));
  }
  const proc = startProcess(binary, [
    `--config.file=${join(dir.path, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir.path, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    '--rules.alert.resend-delay=1s',
    '--log.level=warn',
    ...(options.args ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  const client = new PrometheusClient(url);
  try {
    await waitFor(() => client.ready(), {
      timeoutMs: 30_000,
      what: 'Prometheus ready',
    });
  } catch (error) {
    await proc.stop();
    dir.remove();
    throw new Error(`${String(error)}\n${proc.output()}`);
  }
  return {
    url,
    port,
    dir: dir.path,
    process: proc,
    client,
    query: (expr, time) => client.query(expr, time),
    waitForTargets: async (count, timeoutMs = 30_000) => {
      await waitFor(async () => (await client.targets()).filter((t) => t.health === 'up').length >= count, {
        timeoutMs,
        what: `${count} healthy scrape targets`,
      });
    },
    reload: () => client.reload(),
    stop: async () => {
      await proc.stop();
      dir.remove();
    },
  };
}

/** A minimal prometheus.yml scraping the given targets every `interval`. */
export function scrapeConfig(
  targets: string[],
  options: {
    interval?: string;
    job?: string;
    ruleFiles?: string[];
    alertmanager?: string;
    /** Target labels every scraped series gets (e.g. `namespace`, `cluster`), as service discovery would add them. */
    labels?: Record<string, string>;
  } = {},
): string {
  const interval = options.interval ?? '1s';
  const lines = ['global:', `  scrape_interval: ${interval}`, `  evaluation_interval: ${interval}`];
  if (options.ruleFiles?.length) {
    lines.push('rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  }
  if (options.alertmanager) {
    lines.push(
      'alerting:',
      '  alertmanagers:',
      '    - static_configs:',
      `        - targets: [${JSON.stringify(options.alertmanager)}]`,
    );
  }
  lines.push(
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.job ?? 'eventscope')}`,
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  );
  if (options.labels && Object.keys(options.labels).length) {
    lines.push(`        labels: ${JSON.stringify(options.labels)}`);
  }
  return `${lines.join('\n')}\n`;
}
