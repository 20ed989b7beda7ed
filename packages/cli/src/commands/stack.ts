import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, type EventscopeConfig, type ResolvedConfig, resolveConfig } from '@eventscope/config';
import { writeFilesAtomically } from '@eventscope/config/output';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { UnavailableError, UsageError } from '../errors.js';
import { nonNegativeNumber, oneOf, port } from '../options.js';
import { findTool, installHints } from '../tools.js';
import { startWebhookReceiver } from '../webhook-receiver.js';
import { DEMO_PORT, STACK_WEBHOOK_PORT } from './demo.js';
import { generateAll, layout } from './generate.js';

interface StackOptions {
  config?: string;
  target?: string[];
  job?: string;
  prometheusPort: number;
  alertmanagerPort: number;
  webhookPort: number;
  profile: 'production' | 'test';
  dir?: string;
  duration: number;
}

export function registerStack(program: Command): void {
  program
    .command('stack')
    .description(
      'start Prometheus and Alertmanager on 127.0.0.1 with generated config and rules, scraping the demo, and a webhook receiver whose alerts the demo shows',
    )
    .option('--config <file>', 'eventscope.config.(json|yaml|ts) for the alert rules')
    .option(
      '--target <host:port...>',
      `what Prometheus scrapes (default: the config's prometheus.targets, else 127.0.0.1:${DEMO_PORT})`,
    )
    .option(
      '--job <name>',
      "job label of the scraped targets, the service name in alerts (default: the config's prometheus.job, else eventscope-demo)",
    )
    .option('--prometheus-port <port>', 'Prometheus port', port, 9090)
    .option('--alertmanager-port <port>', 'Alertmanager port', port, 9093)
    .option(
      '--webhook-port <port>',
      'webhook receiver port (the demo reads alerts from it)',
      port,
      STACK_WEBHOOK_PORT,
    )
    .option(
      '--profile <name>',
      'alert time scales: test (seconds: alerts within minutes of a regression) or production',
      oneOf(['production', 'test'] as const),
      'test',
    )
    .option('--dir <dir>', 'keep config, rules and data here (default: a temporary folder, removed on exit)')
    .option(
      '--duration <seconds>',
      'stop after this long (0: run until Ctrl-C)',
      nonNegativeNumber('--duration'),
      0,
    )
    .action(async (options: StackOptions) => {
      await runStack(options);
    });
}

interface Child {
  name: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

function startChild(name: string, binary: string, args: string[]): Child {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    name,
    process: child,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(child: Child, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) break;
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new UnavailableError(
    `${child.name} did not become ready at ${url}:\n${child.output().trim().split('\n').slice(-8).join('\n')}`,
  );
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The stack's artifacts: the user's config as `generate` reads it, with what the stack owns on
 * top — its scrape targets and Alertmanager, every receiver pointing at its webhook, and in the
 * test profile a latency regression that must double p99 (second-scale windows are noisier).
 */
function stackFiles(input: EventscopeConfig, options: StackOptions, webhookUrl: string, dir: string) {
  const testProfile = options.profile === 'test';
  const receiver = (name: string) => ({ name, webhook: { url: webhookUrl } });
  let config: ResolvedConfig;
  try {
    config = resolveConfig({
      ...input,
      thresholds: { ...(testProfile ? { latencyRegressionFactor: 2 } : {}), ...input.thresholds },
      alerts: {
        ...input.alerts,
        alertmanager: {
          ...input.alerts?.alertmanager,
          receivers: [
            receiver('page'),
            receiver('ticket'),
            receiver('default'),
            ...(input.alerts?.alertmanager?.receivers ?? []),
          ],
        },
      },
      prometheus: {
        ...input.prometheus,
        targets: options.target ?? input.prometheus?.targets ?? [`127.0.0.1:${DEMO_PORT}`],
        job: options.job ?? input.prometheus?.job ?? 'eventscope-demo',
        scrapeInterval: testProfile ? '1s' : '15s',
        alertmanager: `127.0.0.1:${options.alertmanagerPort}`,
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const files = generateAll(config, {});
  const prometheusYml = join(dir, 'generated', layout.prometheus, 'prometheus.yml');
  return { files, prometheusYml, config };
}

export async function runStack(options: StackOptions): Promise<void> {
  const prometheus = findTool('prometheus');
  const alertmanager = findTool('prometheus-alertmanager') ?? findTool('alertmanager');
  const missing = [
    ...(prometheus ? [] : [`prometheus (${installHints.prometheus})`]),
    ...(alertmanager ? [] : [`prometheus-alertmanager (${installHints['prometheus-alertmanager']})`]),
  ];
  if (missing.length) {
    throw new UnavailableError(`eventscope stack needs ${missing.join(' and ')}; install, then run it again`);
  }
  for (const target of options.target ?? []) {
    if (!/^[^\s/]+:\d+$/.test(target)) throw new UsageError(`--target "${target}" must be host:port`);
  }
  const { input } = await loadConfig(options.config, { profile: options.profile });
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), 'eventscope-stack-'));
  const children: Child[] = [];
  const webhook = await startWebhookReceiver({ port: options.webhookPort }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new UnavailableError(
        `cannot listen on 127.0.0.1:${options.webhookPort} for the webhook receiver (${error.code ?? error.message}); pass --webhook-port`,
      );
    },
  );
  const shutdown = async () => {
    for (const child of children.reverse()) await child.stop();
    await webhook.close();
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  };
  let scraped: readonly string[] = [];
  try {
    const { files, prometheusYml, config } = stackFiles(input, options, webhook.url, dir);
    scraped = config.prometheus.targets;
    writeFilesAtomically(join(dir, 'generated'), files);
    const am = startChild('Alertmanager', alertmanager!, [
      `--config.file=${join(dir, 'generated', layout.alerts, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${options.alertmanagerPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    children.push(am);
    await waitReady(am, `http://127.0.0.1:${options.alertmanagerPort}/-/ready`);
    const prom = startChild('Prometheus', prometheus!, [
      `--config.file=${prometheusYml}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${options.prometheusPort}`,
      '--web.enable-lifecycle',
      `--rules.alert.resend-delay=${options.profile === 'test' ? '1s' : '1m'}`,
      '--log.level=warn',
    ]);
    children.push(prom);
    await waitReady(prom, `http://127.0.0.1:${options.prometheusPort}/-/ready`);
  } catch (error) {
    await shutdown();
    throw error;
  }

  say('eventscope stack: running');
  say(
    `  Prometheus    http://127.0.0.1:${options.prometheusPort}   scraping ${scraped.join(', ')} every ${options.profile === 'test' ? '1s' : '15s'}`,
  );
  say(`  Alertmanager  http://127.0.0.1:${options.alertmanagerPort}`);
  say(`  webhook       ${webhook.url}   alerts at ${webhook.alertsUrl}`);
  say(`  files         ${dir}`);
  say(
    `Now run \`eventscope demo --scenario gc-pressure --warmup 90\` beside it; alerts show here and in the demo.`,
  );
  webhook.onAlert((alert) => {
    const time = new Date(alert.receivedAt).toISOString().slice(11, 19);
    say(
      `${time} ${alert.status === 'firing' ? 'FIRING  ' : 'resolved'} ${alert.name} ${alert.severity} ${alert.subject} ${alert.summary}`.trimEnd(),
    );
  });

  let stopping = false;
  await new Promise<void>((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (options.duration > 0) setTimeout(finish, options.duration * 1000).unref();
    for (const child of children) {
      child.process.once('exit', (code) => {
        if (stopping) return;
        say(
          `eventscope stack: ${child.name} exited (${code}); stopping\n${child.output().trim().split('\n').slice(-5).join('\n')}`,
        );
        finish();
      });
    }
  });
  stopping = true;
  await shutdown();
  say('eventscope stack: stopped');
}
