import {
  handlersPerOrder,
  LiveStatsSampler,
  type RunningPipeline,
  type Scenario,
  scenarios,
  startPipeline,
} from '@eventscope/demo';
import type { Command } from 'commander';
import { AlertFeed } from '../alert-feed.js';
import { UnavailableError } from '../errors.js';
import { nonNegativeNumber, oneOf, port, positiveNumber } from '../options.js';
import { renderDemoFrame } from '../view/demo-view.js';

export interface DemoOptions {
  scenario: Scenario;
  rate: number;
  duration: number;
  warmup: number;
  host: string;
  port: number;
  flavor: 'prometheus' | 'otel';
  alerts: string | false;
  plain?: boolean;
}

/** Where `eventscope stack` expects the demo, and where its webhook receiver answers. */
export const DEMO_PORT = 9464;
export const STACK_WEBHOOK_PORT = 9095;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run the embedded pipeline (producer → in-memory broker → consumer), instrumented, with /metrics and a live view',
    )
    .option(
      '--scenario <name>',
      `what the pipeline does: ${scenarios.join(', ')}`,
      oneOf(scenarios),
      'steady',
    )
    .option('--rate <events>', 'orders published per second', positiveNumber('--rate'), 200)
    .option(
      '--duration <seconds>',
      'stop after this long (0: run until Ctrl-C or q)',
      nonNegativeNumber('--duration'),
      0,
    )
    .option(
      '--warmup <seconds>',
      'run steady this long before switching to --scenario (gives regression alerts a baseline)',
      nonNegativeNumber('--warmup'),
      0,
    )
    .option('--host <address>', 'interface /metrics listens on', '127.0.0.1')
    .option('--port <port>', '/metrics port (0: any free port)', port, DEMO_PORT)
    .option(
      '--flavor <naming>',
      'metric naming: prometheus (prom-client) or otel (OTel exporter)',
      oneOf(['prometheus', 'otel'] as const),
      'prometheus',
    )
    .option(
      '--alerts <url>',
      "the stack's webhook receiver to show alerts from",
      `http://127.0.0.1:${STACK_WEBHOOK_PORT}/alerts`,
    )
    .option('--no-alerts', 'do not show alerts')
    .option(
      '--plain',
      'print each frame below the last instead of redrawing (the default when not a terminal)',
    )
    .action(async (options: DemoOptions) => {
      await runDemo(options);
    });
}

/** Said once when frames are printed one after another: the keys are off, and what to use instead. */
function plainKeysNote(options: DemoOptions): string {
  const why = options.plain ? '--plain prints frames one after another' : 'output is not a terminal';
  return `keys are off (${why}): choose the scenario with --scenario and --warmup; Ctrl-C${options.duration > 0 ? ' or --duration' : ''} stops`;
}

async function openPipeline(options: DemoOptions, scenario: Scenario): Promise<RunningPipeline> {
  try {
    return await startPipeline({
      scenario,
      rate: options.rate,
      host: options.host,
      port: options.port,
      flavor: options.flavor,
      logger: false,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new UnavailableError(
        `cannot serve /metrics on ${options.host}:${options.port} (${code}); pass --port 0 for any free port, or stop what holds it`,
      );
    }
    throw error;
  }
}

/** One run of the demo: what its frames draw from, and the warm-up it may still be in. */
interface DemoRun {
  readonly options: DemoOptions;
  readonly pipeline: RunningPipeline;
  readonly sampler: LiveStatsSampler;
  readonly feed: AlertFeed | undefined;
  readonly tty: boolean;
  readonly interactive: boolean;
  readonly started: number;
  /** Until the warm-up ends, the frame counts down to the scenario that follows it. */
  warmupEndsAt: number | undefined;
  warmupTimer: NodeJS.Timeout | undefined;
}

async function startDemo(options: DemoOptions, warmingUp: boolean): Promise<DemoRun> {
  const pipeline = await openPipeline(options, warmingUp ? 'steady' : options.scenario);
  const sampler = new LiveStatsSampler(pipeline.store);
  sampler.sample();
  const feed = options.alerts ? new AlertFeed(options.alerts) : undefined;
  const tty = Boolean(process.stdout.isTTY) && !options.plain;
  const interactive = tty && Boolean(process.stdin.isTTY);
  const started = performance.now();
  if (!tty) {
    process.stdout.write(`eventscope demo: metrics at ${pipeline.metricsUrl}\n`);
    process.stdout.write(`eventscope demo: ${plainKeysNote(options)}\n`);
  }
  const warmupEndsAt = warmingUp ? started + options.warmup * 1000 : undefined;
  return {
    options,
    pipeline,
    sampler,
    feed,
    tty,
    interactive,
    started,
    warmupEndsAt,
    warmupTimer: undefined,
  };
}

function drawFrame(demo: DemoRun): void {
  const { options, pipeline, feed, tty, interactive, started, warmupEndsAt } = demo;
  const frame = renderDemoFrame(
    {
      scenario: pipeline.scenario,
      metricsUrl: pipeline.metricsUrl,
      uptimeSeconds: (performance.now() - started) / 1000,
      stats: demo.sampler.sample(),
      counts: pipeline.counts(),
      orderRate: pipeline.rate,
      handlersPerOrder,
      ...(warmupEndsAt === undefined
        ? {}
        : {
            warmup: { next: options.scenario, remainingSeconds: (warmupEndsAt - performance.now()) / 1000 },
          }),
      alerts: feed && { ...feed.current, url: feed.url },
      interactive,
      ...(tty && !interactive ? { keysOff: 'input is not a terminal; Ctrl-C stops the demo' } : {}),
    },
    tty,
  );
  if (tty) process.stdout.write(`\u001b[H\u001b[2J${frame.join('\n')}\n`);
  else process.stdout.write(`${frame.join('\n')}\n---\n`);
  void feed?.poll();
}

/** The end of the warm-up and of --duration, as timers to clear however the demo stops. */
function startTimers(demo: DemoRun, warmingUp: boolean, finish: () => void): NodeJS.Timeout[] {
  const { options, pipeline } = demo;
  const timers: NodeJS.Timeout[] = [];
  demo.warmupTimer = warmingUp
    ? setTimeout(() => {
        demo.warmupEndsAt = undefined;
        pipeline.setScenario(options.scenario);
      }, options.warmup * 1000)
    : undefined;
  if (demo.warmupTimer) timers.push(demo.warmupTimer);
  if (options.duration > 0) timers.push(setTimeout(finish, options.duration * 1000));
  return timers;
}

function chooseScenario(demo: DemoRun, scenario: Scenario): void {
  // A scenario chosen by hand ends the warm-up: it would otherwise switch away from it.
  clearTimeout(demo.warmupTimer);
  demo.warmupEndsAt = undefined;
  demo.pipeline.setScenario(scenario);
}

/** Every key redraws at once, so a choice shows without waiting for the next frame. */
function keyHandler(demo: DemoRun, finish: () => void, draw: () => void): (key: Buffer) => void {
  return (key) => {
    const k = key.toString();
    if (k === 's') chooseScenario(demo, 'steady');
    else if (k === 'g') chooseScenario(demo, 'gc-pressure');
    else if (k === 'f') chooseScenario(demo, 'fixed');
    else if (k === 'q' || k === '\u0003') finish();
    draw();
  };
}

function takeKeys(onKey: (key: Buffer) => void): void {
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on('data', onKey);
}

function releaseKeys(onKey: (key: Buffer) => void): void {
  process.stdin.off('data', onKey);
  process.stdin.setRawMode(false);
  process.stdin.pause();
}

async function stopDemo(demo: DemoRun): Promise<void> {
  const counts = demo.pipeline.counts();
  await demo.pipeline.stop();
  process.stdout.write(
    `eventscope demo: stopped after ${((performance.now() - demo.started) / 1000).toFixed(0)} s; ${counts.processed} events processed, ${counts.failed} failed\n`,
  );
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const warmingUp = options.warmup > 0 && options.scenario !== 'steady';
  const demo = await startDemo(options, warmingUp);

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const draw = () => drawFrame(demo);
  const frames = setInterval(draw, 1000);
  const timers = startTimers(demo, warmingUp, finish);
  const onKey = keyHandler(demo, finish, draw);
  if (demo.interactive) takeKeys(onKey);
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);

  await finished;
  clearInterval(frames);
  for (const t of timers) clearTimeout(t);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  if (demo.interactive) releaseKeys(onKey);
  await stopDemo(demo);
}
