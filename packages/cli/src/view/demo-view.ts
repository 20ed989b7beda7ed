import { type SignalDefinition, type SignalKey, signals } from '@eventscope/catalog';
import type { LiveStats, PipelineCounts, Scenario } from '@eventscope/demo';
import type { AlertFeedState } from '../alert-feed.js';
import { formatBytes, formatPercent, formatRate } from './format.js';

/** Everything one frame of the demo's terminal view shows. */
export interface DemoFrame {
  scenario: Scenario;
  metricsUrl: string;
  uptimeSeconds: number;
  stats: LiveStats;
  counts: PipelineCounts;
  /** Orders published per second; each is handled `handlersPerOrder` times. */
  orderRate: number;
  handlersPerOrder: number;
  /** While `--warmup` runs: the scenario that follows it and the seconds until it does. */
  warmup?: { next: Scenario; remainingSeconds: number };
  /** Undefined when the demo does not watch a webhook receiver. */
  alerts?: AlertFeedState & { url: string };
  interactive: boolean;
  /** Why keys are off, shown in the frame (when the output is a terminal but the input is not). */
  keysOff?: string;
}

const paint = (enabled: boolean) => (code: number, text: string) =>
  enabled ? `\u001b[${code}m${text}\u001b[0m` : text;

const scenarioStory: Record<Scenario, string> = {
  steady: 'healthy pipeline',
  'gc-pressure': 'an in-process cache retains memory: GC pauses lengthen, latency spikes',
  fixed: 'cache removed: memory released, pauses shrink',
};

/**
 * A quantile as the histogram knows it: `≤ 10 ms` is the upper bound of the bucket the quantile
 * falls in (at least that share of events took no longer), `> 10 s` past the last bound. Any
 * finer figure would come from interpolating inside the bucket, not from the data.
 */
export function formatQuantileBound(bound: number, lastBound: number): string {
  if (Number.isNaN(bound)) return '–';
  if (bound === Number.POSITIVE_INFINITY) return `> ${formatBound(lastBound)}`;
  return `≤ ${formatBound(bound)}`;
}

/** A bucket bound as written in the catalog: 250 µs, 2.5 ms, 10 ms, 1 s (no invented zeros). */
function formatBound(seconds: number): string {
  const plain = (value: number) => String(Number(value.toPrecision(3)));
  if (seconds < 0.001) return `${plain(seconds * 1e6)} µs`;
  if (seconds < 1) return `${plain(seconds * 1000)} ms`;
  return `${plain(seconds)} s`;
}

/** The highest finite bucket bound of a histogram signal: what `> …` is said against. */
const lastBound = (key: SignalKey) => {
  const buckets = (signals[key] as SignalDefinition).buckets ?? [];
  return buckets[buckets.length - 1] ?? Number.NaN;
};
const lastDuration = lastBound('processDuration');
const lastAge = lastBound('eventAge');
const lastGc = lastBound('gcDuration');

/** The frame as lines of text; `color` adds ANSI colors (TTY only). */
export function renderDemoFrame(frame: DemoFrame, color: boolean): string[] {
  const c = paint(color);
  const bold = (t: string) => c(1, t);
  const s = frame.stats;
  const hot = (bad: boolean, text: string) => (bad ? c(31, text) : text);
  const errorShare = s.eventsPerSecond > 0 ? s.errorsPerSecond / s.eventsPerSecond : 0;
  const label = (name: string) => name.padEnd(14);
  const known = s.atMost;
  const warmup = frame.warmup
    ? `   warm-up: ${bold(frame.warmup.next)} in ${Math.max(0, Math.ceil(frame.warmup.remainingSeconds))} s`
    : '';
  const lines = [
    `${bold('eventscope demo')}  scenario ${bold(frame.scenario)} (${scenarioStory[frame.scenario]})${warmup}`,
    `metrics ${frame.metricsUrl}   up ${Math.floor(frame.uptimeSeconds)} s   window ${s.windowSeconds.toFixed(0)} s`,
    '',
    `${label('throughput')}${formatRate(s.eventsPerSecond)} events/s (${formatRate(frame.orderRate)} orders/s published, ${frame.handlersPerOrder} handlers per order)   errors ${formatRate(s.errorsPerSecond)}/s (${formatPercent(errorShare)})`,
    `${label('latency')}p50 ${formatQuantileBound(known.latencyP50, lastDuration)}   p99 ${hot(known.latencyP99 > 0.025, formatQuantileBound(known.latencyP99, lastDuration))}`,
    `${label('event age')}p99 ${hot(known.eventAgeP99 > 0.1, formatQuantileBound(known.eventAgeP99, lastAge))}`,
    `${label('GC pauses')}${formatRate(s.gcPausesPerSecond)}/s   p99 ${hot(known.gcPauseP99 > 0.025, formatQuantileBound(known.gcPauseP99, lastGc))}   time in GC ${hot(s.gcTimeShare > 0.05, formatPercent(s.gcTimeShare))}   handler time in GC ${formatPercent(s.handlerGcShare)}`,
    `${label('heap')}${formatBytes(s.heapUsedBytes)} used of ${formatBytes(s.heapLimitBytes)} limit`,
    `${label('slow events')}gc ${s.slowTotalByCause.gc}   event loop ${s.slowTotalByCause.event_loop}   handler ${s.slowTotalByCause.handler}   (last ${s.windowSeconds.toFixed(0)} s: gc ${s.slowByCause.gc}, loop ${s.slowByCause.event_loop}, handler ${s.slowByCause.handler})`,
    `${label('pipeline')}published ${frame.counts.published}   processed ${frame.counts.processed}   failed ${frame.counts.failed}   queued ${frame.counts.queued}`,
  ];
  if (frame.alerts) {
    lines.push('');
    if (!frame.alerts.reachable && frame.alerts.alerts.length === 0) {
      lines.push(
        `${bold('alerts')}  no stack at ${frame.alerts.url} (run \`eventscope stack\` beside this demo)`,
      );
    } else {
      const firing = frame.alerts.alerts.filter((a) => a.status === 'firing');
      lines.push(`${bold('alerts')}  ${firing.length} firing (webhook ${frame.alerts.url})`);
      for (const alert of frame.alerts.alerts.slice(0, 8)) {
        const status = alert.status === 'firing' ? c(31, 'FIRING  ') : c(32, 'resolved');
        lines.push(`  ${status} ${alert.name}  ${alert.severity}  ${alert.subject}`.trimEnd());
      }
    }
  }
  if (frame.interactive) {
    lines.push('', c(2, 'keys: s steady · g gc-pressure · f fixed · q quit'));
  } else if (frame.keysOff) {
    lines.push('', c(2, `keys off: ${frame.keysOff}`));
  }
  return lines;
}
