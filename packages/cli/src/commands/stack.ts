import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, type EventscopeConfig, type ResolvedConfig, resolveConfig } from '@eventscope/config';
import { writeFilesAtomically } from '@eventscope/config/output';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { UnavailableError, UsageError } from '../errors.js';
import { nonNegativeNumber, oneOf, port } from '../options.js';
import { claimPorts } from '../ports.js';
import { StartAborted, startAlertmanager, startPrometheus } from '../stack-servers.js';
import type { SupervisedProcess } from '../supervised-process.js';
import { findTool, installHints } from '../tools.js';
import { type RunningWebhookReceiver, startWebhookReceiver } from '../webhook-receiver.js';
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

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The stack's artifacts: the user's config as `generate` reads it, with what the stack owns on
 * top — its scrape targets and Alertmanager, every receiver pointing at its webhook, and in the
 * test profile a latency regression that must double p99 (second-scale windows are noisier).
 */
function stackFiles(
  input: EventscopeConfig,
  options: StackOptions,
  alertmanagerPort: number,
  webhookUrl: string,
) {
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
        alertmanager: `127.0.0.1:${alertmanagerPort}`,
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  return { files: generateAll(config, {}), config };
}

/** Whatever ends a running (or starting) stack first. */
type Ending =
  | { kind: 'stopped' /** SIGINT, SIGTERM or --duration. */; why: string }
  | { kind: 'failed'; error: Error };

/**
 * The next step a new user takes, with the ports and targets this stack actually uses: the demo
 * is told where to listen and where the webhook is whenever they differ from its defaults.
 */
function nextStep(targets: readonly string[], webhookPort: number, alertsUrl: string): string {
  const local = targets
    .map((target) => /^(?:127\.0\.0\.1|localhost):(\d+)$/.exec(target)?.[1])
    .find((port) => port !== undefined);
  if (local === undefined) {
    return `Prometheus scrapes ${targets.join(', ')}; start your services there. Alerts show here and at ${alertsUrl}.`;
  }
  const flags = [
    ...(Number(local) !== DEMO_PORT ? [`--port ${local}`] : []),
    ...(webhookPort !== STACK_WEBHOOK_PORT ? [`--alerts ${alertsUrl}`] : []),
  ];
  return `Now run \`${['eventscope demo --scenario gc-pressure --warmup 90', ...flags].join(' ')}\` beside it;\nalerts show here and in the demo.`;
}

/** The two servers' binaries; a missing one is exit 3 with how to install it. */
function findServers(): { prometheus: string; alertmanager: string } {
  const prometheus = findTool('prometheus');
  const alertmanager = findTool('prometheus-alertmanager') ?? findTool('alertmanager');
  if (!prometheus || !alertmanager) {
    const missing = [
      ...(prometheus ? [] : [`prometheus (${installHints.prometheus})`]),
      ...(alertmanager ? [] : [`prometheus-alertmanager (${installHints['prometheus-alertmanager']})`]),
    ];
    throw new UnavailableError(`eventscope stack needs ${missing.join(' and ')}; install, then run it again`);
  }
  return { prometheus, alertmanager };
}

function checkTargets(targets: readonly string[] = []): void {
  for (const target of targets) {
    if (!/^[^\s/]+:\d+$/.test(target)) throw new UsageError(`--target "${target}" must be host:port`);
  }
}

type StackPorts = Record<'prometheus' | 'alertmanager' | 'webhook', number>;

function claimStackPorts(options: StackOptions): Promise<StackPorts> {
  return claimPorts({
    prometheus: { what: 'Prometheus', port: options.prometheusPort, flag: '--prometheus-port' },
    alertmanager: { what: 'Alertmanager', port: options.alertmanagerPort, flag: '--alertmanager-port' },
    webhook: { what: 'the webhook receiver', port: options.webhookPort, flag: '--webhook-port' },
  });
}

/** A stack from its first step to its shutdown: what it holds, and what ends it. */
interface StackRun {
  readonly options: StackOptions;
  readonly children: SupervisedProcess[];
  dir?: string;
  webhook?: RunningWebhookReceiver;
  phase: 'starting' | 'running';
  readonly aborting: AbortController;
  readonly ending: Promise<Ending>;
  readonly end: (ending: Ending) => void;
}

function newStackRun(options: StackOptions): StackRun {
  let end!: (ending: Ending) => void;
  const ending = new Promise<Ending>((resolve) => {
    end = resolve;
  });
  return { options, children: [], phase: 'starting', aborting: new AbortController(), ending, end };
}

function removeDir(run: StackRun): void {
  if (run.dir && !run.options.dir) rmSync(run.dir, { recursive: true, force: true });
}

/** A signal stops the stack as --duration does. Returns what takes these listeners off again. */
function hookIntoProcess(run: StackRun): () => void {
  // The last resort, when the process exits without our shutdown (e.g. a closed stdout pipe).
  const onExit = () => {
    for (const child of run.children) child.killNow();
    removeDir(run);
  };
  process.once('exit', onExit);
  const onSignal = (signal: NodeJS.Signals) => run.end({ kind: 'stopped', why: signal });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
}

/** Every child is watched from the moment it exists: its death ends the stack, exit 3. */
function watchChild(run: StackRun, child: SupervisedProcess): void {
  run.children.push(child);
  void child.exited.then(() => {
    if (child.stopRequested) return;
    run.end({
      kind: 'failed',
      error: child.deathError(
        run.phase === 'starting'
          ? 'while the stack was starting'
          : 'while the stack was running; stopped the stack',
      ),
    });
  });
}

function startWebhook(port: number): Promise<RunningWebhookReceiver> {
  return startWebhookReceiver({ port }).catch((error: NodeJS.ErrnoException) => {
    throw new UnavailableError(
      `cannot listen on 127.0.0.1:${port} for the webhook receiver (${error.code ?? error.message}); pass --webhook-port with a free port`,
    );
  });
}

interface StartedStack {
  alertmanager: SupervisedProcess;
  prometheus: SupervisedProcess;
  /** What Prometheus scrapes. */
  scraped: readonly string[];
}

/** Each thing started is recorded on `run` at once, so that the shutdown finds it. */
async function startServers(
  run: StackRun,
  servers: { prometheus: string; alertmanager: string },
  ports: StackPorts,
  input: EventscopeConfig,
): Promise<StartedStack> {
  const { options, aborting } = run;
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), 'eventscope-stack-'));
  run.dir = dir;
  const webhook = await startWebhook(ports.webhook);
  run.webhook = webhook;
  if (aborting.signal.aborted) throw new StartAborted();
  const { files, config } = stackFiles(input, options, ports.alertmanager, webhook.url);
  const generated = join(dir, 'generated');
  writeFilesAtomically(generated, files);
  const common = {
    dir,
    abort: aborting.signal,
    onSpawn: (child: SupervisedProcess) => watchChild(run, child),
  };
  const alertmanager = await startAlertmanager({
    ...common,
    binary: servers.alertmanager,
    port: ports.alertmanager,
    configFile: join(generated, layout.alerts, 'alertmanager.yml'),
    webhookUrl: webhook.url,
  });
  const prometheus = await startPrometheus({
    ...common,
    binary: servers.prometheus,
    port: ports.prometheus,
    configFile: join(generated, layout.prometheus, 'prometheus.yml'),
    resendDelay: options.profile === 'test' ? '1s' : '1m',
  });
  return { alertmanager, prometheus, scraped: config.prometheus.targets };
}

function sayRunning(
  run: StackRun,
  ports: StackPorts,
  started: StartedStack,
  webhook: RunningWebhookReceiver,
) {
  const interval = run.options.profile === 'test' ? '1s' : '15s';
  say('eventscope stack: running');
  say(
    `  Prometheus    http://127.0.0.1:${ports.prometheus}   scraping ${started.scraped.join(', ')} every ${interval}   (pid ${started.prometheus.pid})`,
  );
  say(`  Alertmanager  http://127.0.0.1:${ports.alertmanager}   (pid ${started.alertmanager.pid})`);
  say(`  webhook       ${webhook.url}   alerts at ${webhook.alertsUrl}`);
  say(`  files         ${run.dir}`);
  say(nextStep(started.scraped, ports.webhook, webhook.alertsUrl));
}

function sayAlerts(webhook: RunningWebhookReceiver): void {
  webhook.onAlert((alert) => {
    const time = new Date(alert.receivedAt).toISOString().slice(11, 19);
    say(
      `${time} ${alert.status === 'firing' ? 'FIRING  ' : 'resolved'} ${alert.name} ${alert.severity} ${alert.subject} ${alert.summary}`.trimEnd(),
    );
  });
}

function stopAfterDuration(run: StackRun): void {
  const { duration } = run.options;
  setTimeout(() => run.end({ kind: 'stopped', why: `--duration ${duration}` }), duration * 1000).unref();
}

/** Whatever ended it: no child, no listener and no temporary folder outlives the command. */
async function shutDown(run: StackRun, starting: Promise<unknown>, unhook: () => void): Promise<void> {
  run.aborting.abort();
  await starting;
  for (const child of [...run.children].reverse()) await child.stop();
  await run.webhook?.close();
  removeDir(run);
  unhook();
}

/**
 * Run Prometheus, Alertmanager and a webhook receiver until Ctrl-C, `--duration` or the death of
 * any of them. Every port is checked before anything starts; a server counts as ready only while
 * our own process is alive and the one answering on its port is that process; the death of
 * either child stops the stack with exit 3; the temporary folder goes on every way out.
 */
export async function runStack(options: StackOptions): Promise<void> {
  const servers = findServers();
  checkTargets(options.target);
  const { input } = await loadConfig(options.config, { profile: options.profile });
  // Before anything starts: a taken port is exit 3 with the flag that changes it.
  const ports = await claimStackPorts(options);

  const run = newStackRun(options);
  const unhook = hookIntoProcess(run);
  const starting = startServers(run, servers, ports, input).then(
    (started) => started,
    (error: unknown) => {
      if (!(error instanceof StartAborted)) run.end({ kind: 'failed', error: error as Error });
      return undefined;
    },
  );
  let outcome: Ending;
  try {
    const started = await Promise.race([starting, run.ending.then(() => undefined)]);
    if (started) {
      run.phase = 'running';
      sayRunning(run, ports, started, run.webhook!);
      sayAlerts(run.webhook!);
      if (options.duration > 0) stopAfterDuration(run);
    }
    outcome = await run.ending;
  } finally {
    await shutDown(run, starting, unhook);
  }
  if (outcome.kind === 'failed') throw outcome.error;
  say(`eventscope stack: stopped (${outcome.why})`);
}
