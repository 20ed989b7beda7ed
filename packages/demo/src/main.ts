#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type LiveStats, LiveStatsSampler } from './live-stats.js';
import { handlersPerOrder, startPipeline } from './pipeline.js';
import { isScenario } from './workload.js';

/**
 * Runs the in-process pipeline and prints one line a second. `eventscope demo` is the full
 * terminal view; this is the library example on its own:
 *   node dist/main.js [--scenario steady|gc-pressure|fixed] [--rate 200] [--port 0] [--duration 0]
 */
const usage =
  'usage: node dist/main.js [--scenario steady|gc-pressure|fixed] [--rate N] [--port N] [--flavor prometheus|otel] [--duration SECONDS]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      scenario: { type: 'string', default: 'steady' },
      rate: { type: 'string', default: '200' },
      port: { type: 'string', default: '0' },
      flavor: { type: 'string', default: 'prometheus' },
      duration: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!isScenario(values.scenario)) fail(`unknown scenario "${values.scenario}"`);
const rate = Number(values.rate);
const port = Number(values.port);
const duration = Number(values.duration);
if (!(rate > 0)) fail(`--rate must be a positive number, got "${values.rate}"`);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be 0..65535, got "${values.port}"`);
if (!(duration >= 0)) fail(`--duration must be a number of seconds, got "${values.duration}"`);
if (values.flavor !== 'prometheus' && values.flavor !== 'otel') fail(`unknown flavor "${values.flavor}"`);

const pipeline = await startPipeline({ scenario: values.scenario, rate, port, flavor: values.flavor });
process.stdout.write(
  `eventscope in-process example: ${pipeline.scenario}, metrics at ${pipeline.metricsUrl}\n`,
);
const sampler = new LiveStatsSampler(pipeline.store);
sampler.sample();

// Quantiles as the buckets know them: the bound the quantile falls under (see LiveStats.atMost).
const atMost = (seconds: number) =>
  Number.isNaN(seconds)
    ? '-'
    : seconds === Number.POSITIVE_INFINITY
      ? 'off scale'
      : `<=${Number((seconds * 1000).toPrecision(3))}ms`;
const line = (s: LiveStats) =>
  [
    `${s.eventsPerSecond.toFixed(0)} ev/s (${rate} orders/s x ${handlersPerOrder} handlers)`,
    `latency p50 ${atMost(s.atMost.latencyP50)} p99 ${atMost(s.atMost.latencyP99)}`,
    `age p99 ${atMost(s.atMost.eventAgeP99)}`,
    `gc ${s.gcPausesPerSecond.toFixed(1)}/s p99 ${atMost(s.atMost.gcPauseP99)} ${(s.gcTimeShare * 100).toFixed(1)}% of time`,
    `heap ${(s.heapUsedBytes / 2 ** 20).toFixed(0)}MiB`,
    `slow gc/loop/handler ${s.slowTotalByCause.gc}/${s.slowTotalByCause.event_loop}/${s.slowTotalByCause.handler}`,
  ].join(' | ');

const timer = setInterval(() => process.stdout.write(`${line(sampler.sample())}\n`), 1000);
const stop = async () => {
  clearInterval(timer);
  await pipeline.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
if (duration > 0) setTimeout(stop, duration * 1000);
