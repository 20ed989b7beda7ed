import { type Baseline, formatDuration, panelSteps, type ResolvedConfig } from '@eventscope/config';
import {
  errorRatio,
  gcTimeShare,
  heapUsed,
  loopDelay,
  max,
  percentile,
  type Queries,
  sum,
  throughput,
} from '@eventscope/config/promql';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE_INTERVAL } from '../queries.js';
import { dashboardVariables } from '../variables.js';
import { dashboardContext } from './context.js';
import { dashboardFrame } from './frame.js';
import { stepValue } from './thresholds.js';

const unitNames: Record<string, string> = { w: 'week', d: 'day', h: 'hour', m: 'minute', s: 'second' };

/** A baseline offset in words: `1d` → `1 day`, `2h` → `2 hours`, `1h30m` → `1 hour 30 minutes`. */
export function offsetInWords(offset: string): string {
  const parts = [...offset.matchAll(/(\d+)([wdhms])/g)].map(([, n, unit]) => {
    const name = unitNames[unit!] ?? unit!;
    return `${n} ${name}${n === '1' ? '' : 's'}`;
  });
  return parts.join(' ');
}

/** `1 day ago`, `1 day and 1 week ago`, `1 day, 1 week and 4 weeks ago`. */
function agoList(baselines: readonly Baseline[]): string {
  const words = baselines.map((b) => offsetInWords(b.label));
  const last = words.pop();
  return `${words.length ? `${words.join(', ')} and ` : ''}${last} ago`;
}

/**
 * Window the "% worse" stats average over: the last hour against the same hour at each baseline,
 * or the shortest baseline when that is shorter (a one-minute baseline compares single minutes).
 */
export function comparisonWindow(config: ResolvedConfig): string {
  const shortest = Math.min(...config.baselines.map((b) => b.offsetSeconds));
  return formatDuration(Math.min(3600, shortest));
}

interface Headline {
  title: string;
  unit: string;
  /** What the metric is and why a rise hurts. */
  meaning: string;
  /** The expression, evaluated by the given queries (which carry the offset) over `window`. */
  expr: (q: Queries, window?: string) => string;
  /** Higher is worse (latency, memory); for throughput, any large change deserves a look. */
  direction: 'higher-is-worse' | 'change';
}

/** A gauge summed (or maxed) over the selected processes: now, or averaged over the comparison window. */
const gauge =
  (signal: 'memoryRss', aggregate: typeof sum) =>
  (q: Queries, w?: string): string =>
    aggregate([], w ? q.overTime('avg_over_time', signal, 'value', w) : q.instant(signal));

const headlines: readonly Headline[] = [
  {
    title: 'p99 processing latency',
    unit: 's',
    meaning: 'the time 99 % of events finish within',
    expr: (q, w = RATE_INTERVAL) => percentile(q, 0.99, 'processDuration', [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'p50 processing latency',
    unit: 's',
    meaning: 'the typical processing time of one event',
    expr: (q, w = RATE_INTERVAL) => percentile(q, 0.5, 'processDuration', [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'p99 event age',
    unit: 's',
    meaning: 'how old events are when their handler starts, end to end',
    expr: (q, w = RATE_INTERVAL) => percentile(q, 0.99, 'eventAge', [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'Error ratio',
    unit: 'percentunit',
    meaning: 'the share of events whose handler failed',
    expr: (q, w = RATE_INTERVAL) => errorRatio(q, [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'Events processed / s',
    unit: 'ops',
    meaning: 'how many events the handlers finish per second (a change may be traffic, not a regression)',
    expr: (q, w = RATE_INTERVAL) => throughput(q, [], w),
    direction: 'change',
  },
  {
    title: 'Heap used',
    unit: 'bytes',
    meaning: 'V8 heap in use across the selected processes',
    expr: (q, w) => (w ? sum([], q.overTime('avg_over_time', 'heapUsed', 'value', w)) : heapUsed(q, [])),
    direction: 'higher-is-worse',
  },
  {
    title: 'Resident memory (RSS)',
    unit: 'bytes',
    meaning: 'resident memory across the selected processes',
    expr: gauge('memoryRss', sum),
    direction: 'higher-is-worse',
  },
  {
    title: 'Time in GC pauses',
    unit: 'percentunit',
    meaning: 'the share of time the processes were paused for garbage collection',
    expr: (q, w = RATE_INTERVAL) => max([], gcTimeShare(q, q.byInstance, w)),
    direction: 'higher-is-worse',
  },
  {
    title: 'Event-loop delay p99',
    unit: 's',
    meaning: 'how late the event loop ran scheduled work',
    expr: (q, w = RATE_INTERVAL) => max([], loopDelay(q, 0.99, q.byInstance, w)),
    direction: 'higher-is-worse',
  },
];

/**
 * Regressions: each headline metric now, overlaid with the same metric at each configured baseline
 * (1 day and 1 week ago by default), and stats for how much worse the last hour is than the same
 * hour then. A deploy that adds 30 % latency or 25 % memory turns the stats red (from +20 %).
 */
export function regressionsDashboard(config: ResolvedConfig): Dashboard {
  const { q: now, panels } = dashboardContext(config);
  const { baselines } = config;
  const ago = agoList(baselines);
  const window = comparisonWindow(config);
  const worse = panelSteps('regression', config.thresholds);
  const worseText = `above +${stepValue(worse, 'red', 'percentunit')} (red), +${stepValue(worse, 'orange', 'percentunit')} (orange)`;
  const sameWindow = window === '1h' ? 'the same hour' : `the same ${window}`;
  const lines =
    baselines.length === 1 ? 'the baseline' : baselines.length === 2 ? 'both baselines' : 'every baseline';
  const builder = dashboardFrame(
    config,
    'regressions',
    'Regressions',
    `Every headline metric against ${ago}, so a deploy that adds latency or memory stands out. Empty baselines mean Prometheus has less history than the offset.`,
  ).variables(dashboardVariables(config, 'processDuration'));

  for (const headline of headlines) {
    const change = headline.direction === 'change';
    builder.withRow(panels.row(headline.title));
    builder.withPanel(
      panels.timeseries({
        title: `${headline.title}: now vs. ${ago}`,
        description: `${capitalize(headline.meaning)}, now (solid) and at the same time ${ago}. Bad: the "now" line clearly above ${lines} since a deploy${change ? ', or far below them while producers still send' : ''}.`,
        unit: headline.unit,
        width: 16,
        queries: [
          { expr: headline.expr(now), legend: 'now' },
          ...baselines.map((b) => ({
            expr: headline.expr(now.ago(b.label)),
            legend: `${offsetInWords(b.label)} ago`,
          })),
        ],
      }),
    );
    for (const baseline of baselines) {
      const then = `${offsetInWords(baseline.label)} ago`;
      builder.withPanel(
        panels.stat({
          title: `${change ? '% change' : '% worse'} vs. ${then}`,
          description: `${capitalize(headline.meaning)}: the last ${window} against ${sameWindow} ${then}, in percent (${change ? 'positive: more' : 'positive: worse'}). Bad: ${change ? 'a large change that traffic does not explain' : worseText}. No value: Prometheus has no data from ${then} yet.`,
          unit: 'percentunit',
          width: 4,
          height: 8,
          queries: [
            {
              expr: `(${headline.expr(now, window)}) / (${headline.expr(now.ago(baseline.label), window)}) - 1`,
            },
          ],
          thresholds: change ? [] : worse,
          baseColor: change ? 'blue' : 'green',
        }),
      );
    }
  }
  return builder.build();
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
