import type { LiveStats, PipelineCounts, Scenario } from '@eventscope/demo';
import type { AlertFeedState } from '../alert-feed.js';
import { formatBytes, formatPercent, formatRate, formatSeconds } from './format.js';

/** Everything one frame of the demo's terminal view shows. */
export interface DemoFrame {
  scenario: Scenario;
  metricsUrl: string;
  uptimeSeconds: number;
  stats: LiveStats;
  counts: PipelineCounts;
  /** Undefined when the demo does not watch a webhook receiver. */
  alerts?: AlertFeedState & { url: string };
  interactive: boolean;
}

const paint = (enabled: boolean) => (code: number, text: string) =>
  enabled ? `\u001b[${code}m${text}\u001b[0m` : text;

const scenarioStory: Record<Scenario, string> = {
  steady: 'healthy pipeline',
  'gc-pressure': 'an in-process cache retains memory: GC pauses lengthen, latency spikes',
  fixed: 'cache removed: memory released, pauses shrink',
};

/** The frame as lines of text; `color` adds ANSI colors (TTY only). */
export function renderDemoFrame(frame: DemoFrame, color: boolean): string[] {
  const c = paint(color);
  const bold = (t: string) => c(1, t);
  const s = frame.stats;
  const hot = (bad: boolean, text: string) => (bad ? c(31, text) : text);
  const errorShare = s.eventsPerSecond > 0 ? s.errorsPerSecond / s.eventsPerSecond : 0;
  const label = (name: string) => name.padEnd(14);
  const lines = [
    `${bold('eventscope demo')}  scenario ${bold(frame.scenario)} (${scenarioStory[frame.scenario]})`,
    `metrics ${frame.metricsUrl}   up ${Math.floor(frame.uptimeSeconds)} s   window ${s.windowSeconds.toFixed(0)} s`,
    '',
    `${label('throughput')}${formatRate(s.eventsPerSecond)} events/s   errors ${formatRate(s.errorsPerSecond)}/s (${formatPercent(errorShare)})`,
    `${label('latency')}p50 ${formatSeconds(s.latencyP50)}   p99 ${hot(s.latencyP99 > 0.025, formatSeconds(s.latencyP99))}`,
    `${label('event age')}p99 ${hot(s.eventAgeP99 > 0.1, formatSeconds(s.eventAgeP99))}`,
    `${label('GC pauses')}${formatRate(s.gcPausesPerSecond)}/s   p99 ${hot(s.gcPauseP99 > 0.025, formatSeconds(s.gcPauseP99))}   time in GC ${hot(s.gcTimeShare > 0.05, formatPercent(s.gcTimeShare))}   handler time in GC ${formatPercent(s.handlerGcShare)}`,
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
  }
  return lines;
}
