import {
  errorRatio,
  gcTimeShare,
  handlerTimeInGc,
  heapUsed,
  label,
  percentile,
  type Queries,
  throughput,
} from '@eventscope/config/promql';
import type { DashboardKind } from '../src/dashboards/frame.js';

/**
 * The figures the alerts package records as recording rules (packages/alerts/src/recording.ts),
 * each beside a dashboard panel that shows the same quantity. The dashboards cannot read the
 * recorded series: their windows are Grafana's `$__rate_interval` and their variables filter
 * what the rules aggregate. Both build from the same quantity functions instead, and the
 * end-to-end test evaluates both expressions over the same window at the same instant.
 */
export interface RecordingRuleComparison {
  /** The recording rule's figure. */
  figure: string;
  /** The panel (and query) showing it. */
  panel: { kind: DashboardKind; title: string; refId: string };
  /** The expression the rule records, built from the vocabulary over `window`. */
  rule: (q: Queries, window: string) => string;
  /** Labels that pair a panel series with a rule series; [] when the panel shows one number. */
  key: readonly string[];
  /** `same`: each panel series equals its rule series; `sum`: the panel's one number sums the rule's series. */
  combine: 'same' | 'sum';
  /** The panel's variables narrow it to the orders destination (the drill-down). */
  ordersOnly?: boolean;
}

const destination = [label.destination];

export const recordingRuleComparisons: readonly RecordingRuleComparison[] = [
  {
    figure: 'events processed per second, per destination',
    panel: { kind: 'overview', title: 'Events processed / s', refId: 'A' },
    rule: (q, w) => throughput(q, q.byDestination, w),
    key: [],
    combine: 'sum',
  },
  {
    figure: 'error ratio per destination',
    panel: { kind: 'destination', title: 'Error ratio', refId: 'A' },
    rule: (q, w) => errorRatio(q, q.byDestination, w),
    key: [],
    combine: 'same',
    ordersOnly: true,
  },
  {
    figure: 'p99 processing time per destination',
    panel: { kind: 'overview', title: 'p99 processing latency by destination', refId: 'A' },
    rule: (q, w) => percentile(q, 0.99, 'processDuration', q.byDestination, w),
    key: destination,
    combine: 'same',
  },
  {
    figure: 'p50 processing time per destination',
    panel: { kind: 'destination', title: 'Processing latency p50 / p95 / p99', refId: 'A' },
    rule: (q, w) => percentile(q, 0.5, 'processDuration', q.byDestination, w),
    key: [],
    combine: 'same',
    ordersOnly: true,
  },
  {
    figure: 'p99 event age per destination',
    panel: { kind: 'overview', title: 'Event age p99 (end to end)', refId: 'A' },
    rule: (q, w) => percentile(q, 0.99, 'eventAge', q.byDestination, w),
    key: destination,
    combine: 'same',
  },
  {
    figure: 'p50 event age per destination',
    panel: { kind: 'destination', title: 'Event age p50 / p99', refId: 'A' },
    rule: (q, w) => percentile(q, 0.5, 'eventAge', q.byDestination, w),
    key: [],
    combine: 'same',
    ordersOnly: true,
  },
  {
    figure: 'consumed per second, per destination',
    panel: { kind: 'overview', title: 'Consumed per second by destination', refId: 'A' },
    rule: (q, w) => q.sumRate(q.byDestination, 'consumedMessages', 'value', w),
    key: destination,
    combine: 'same',
  },
  {
    figure: 'sent per second, per destination',
    panel: { kind: 'overview', title: 'Sent per second by destination', refId: 'A' },
    rule: (q, w) => q.sumRate([q.service, label.system, label.destination], 'sentMessages', 'value', w),
    key: destination,
    combine: 'same',
  },
  {
    figure: 'share of handler time overlapped by GC, per destination',
    panel: { kind: 'overview', title: 'Share of processing time in GC pauses', refId: 'A' },
    rule: (q, w) => handlerTimeInGc(q, q.byDestination, w),
    key: destination,
    combine: 'same',
  },
  {
    figure: 'slow events per second by cause, per destination',
    panel: { kind: 'destination', title: 'Slow events by cause', refId: 'A' },
    rule: (q, w) => q.sumRate([...q.byDestination, label.slowCause], 'slowEvents', 'value', w),
    key: [label.slowCause],
    combine: 'same',
    ordersOnly: true,
  },
  {
    figure: 'share of time in GC pauses, per instance',
    panel: { kind: 'runtime', title: 'Share of time in GC pauses', refId: 'A' },
    rule: (q, w) => gcTimeShare(q, q.byInstance, w),
    key: ['job', label.instance],
    combine: 'same',
  },
  {
    figure: 'heap used, per instance',
    panel: { kind: 'regressions', title: 'Heap used: now vs. 1 day and 1 week ago', refId: 'A' },
    rule: (q) => heapUsed(q, q.byInstance),
    key: [],
    combine: 'sum',
  },
];
