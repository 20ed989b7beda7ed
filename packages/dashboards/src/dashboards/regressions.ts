import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedOptions } from '../options.js';
import { PanelFactory } from '../panels.js';
import { max, PromQL, sum } from '../promql.js';
import { dashboardVariables } from '../variables.js';
import { dashboardFrame } from './frame.js';
import { successShare } from './sli.js';
import { thresholds } from './thresholds.js';

/** The baselines every headline metric is compared with. */
export const baselines = [
  { offset: '1d', label: '1 day ago' },
  { offset: '1w', label: '1 week ago' },
] as const;

/** Window the "% worse" stats average over: the last hour against the same hour a day or a week ago. */
export const COMPARISON_WINDOW = '1h';

interface Headline {
  title: string;
  unit: string;
  /** What the metric is and why a rise hurts. */
  meaning: string;
  /** The expression, evaluated by the given PromQL (which carries the offset) over `window`. */
  expr: (q: PromQL, window?: string) => string;
  /** Higher is worse (latency, memory); for throughput, any large change deserves a look. */
  direction: 'higher-is-worse' | 'change';
}

const headlines: readonly Headline[] = [
  {
    title: 'p99 processing latency',
    unit: 's',
    meaning: 'the time 99 % of events finish within',
    expr: (q, w) => q.quantile(0.99, 'processDuration', [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'p50 processing latency',
    unit: 's',
    meaning: 'the typical processing time of one event',
    expr: (q, w) => q.quantile(0.5, 'processDuration', [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'p99 event age',
    unit: 's',
    meaning: 'how old events are when their handler starts, end to end',
    expr: (q, w) => q.quantile(0.99, 'eventAge', [], w),
    direction: 'higher-is-worse',
  },
  {
    title: 'Error ratio',
    unit: 'percentunit',
    meaning: 'the share of events whose handler failed',
    expr: (q, w) => `1 - (${successShare(q, w)})`,
    direction: 'higher-is-worse',
  },
  {
    title: 'Events processed / s',
    unit: 'ops',
    meaning: 'how many events the handlers finish per second (a change may be traffic, not a regression)',
    expr: (q, w) => sum([], q.rate('processDuration', 'count', [], w)),
    direction: 'change',
  },
  {
    title: 'Heap used',
    unit: 'bytes',
    meaning: 'V8 heap in use across the selected processes',
    expr: (q, w) =>
      w ? sum([], `avg_over_time(${q.range('heapUsed', 'value', w)})`) : sum([], q.instant('heapUsed')),
    direction: 'higher-is-worse',
  },
  {
    title: 'Resident memory (RSS)',
    unit: 'bytes',
    meaning: 'resident memory across the selected processes',
    expr: (q, w) =>
      w ? sum([], `avg_over_time(${q.range('memoryRss', 'value', w)})`) : sum([], q.instant('memoryRss')),
    direction: 'higher-is-worse',
  },
  {
    title: 'Time in GC pauses',
    unit: 'percentunit',
    meaning: 'the share of time the processes were paused for garbage collection',
    expr: (q, w) => max([], sum(['instance'], q.rate('gcDuration', 'sum', [], w))),
    direction: 'higher-is-worse',
  },
  {
    title: 'Event-loop delay p99',
    unit: 's',
    meaning: 'how late the event loop ran scheduled work',
    expr: (q, w) =>
      w
        ? max([], `avg_over_time(${q.range('loopDelayP99', 'value', w)})`)
        : max([], q.instant('loopDelayP99')),
    direction: 'higher-is-worse',
  },
];

/**
 * Regressions: each headline metric now, overlaid with the same metric one day and one week ago,
 * and stats for how much worse the last hour is than the same hour then. A deploy that adds 30 %
 * latency or 25 % memory turns the stats red (from +20 %).
 */
export function regressionsDashboard(options: ResolvedOptions): Dashboard {
  const now = new PromQL(options);
  const panels = new PanelFactory();
  const builder = dashboardFrame(
    options,
    'regressions',
    'Regressions',
    'Every headline metric against 1 day and 1 week ago, so a deploy that adds latency or memory stands out. Empty baselines mean Prometheus has less history than the offset.',
  ).variables(dashboardVariables(now, options, 'processDuration'));

  for (const headline of headlines) {
    builder.withRow(panels.row(headline.title));
    builder.withPanel(
      panels.timeseries({
        title: `${headline.title}: now vs. 1 day and 1 week ago`,
        description: `${capitalize(headline.meaning)}, now (solid) and at the same time 1 day and 1 week ago. Bad: the "now" line clearly above both baselines since a deploy${headline.direction === 'change' ? ', or far below them while producers still send' : ''}.`,
        unit: headline.unit,
        width: 16,
        queries: [
          { expr: headline.expr(now), legend: 'now' },
          ...baselines.map((b) => ({ expr: headline.expr(now.ago(b.offset)), legend: b.label })),
        ],
      }),
    );
    for (const baseline of baselines) {
      const current = headline.expr(now, COMPARISON_WINDOW);
      const then = headline.expr(now.ago(baseline.offset), COMPARISON_WINDOW);
      builder.withPanel(
        panels.stat({
          title: `${headline.direction === 'change' ? '% change' : '% worse'} vs. ${baseline.label}`,
          description: `${capitalize(headline.meaning)}: the last ${COMPARISON_WINDOW} against the same hour ${baseline.label}, in percent (${headline.direction === 'change' ? 'positive: more' : 'positive: worse'}). Bad: above +20 % (red), +10 % (orange). No value: Prometheus has no data from ${baseline.label} yet.`,
          unit: 'percentunit',
          width: 4,
          height: 8,
          queries: [{ expr: `(${current}) / (${then}) - 1` }],
          thresholds: headline.direction === 'change' ? [] : thresholds.regression,
          baseColor: headline.direction === 'change' ? 'blue' : 'green',
        }),
      );
    }
  }
  return builder.build();
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
