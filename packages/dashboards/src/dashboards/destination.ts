import { attributes } from '@eventscope/catalog';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedOptions } from '../options.js';
import { PanelFactory } from '../panels.js';
import { PromQL, sum } from '../promql.js';
import { dashboardVariables } from '../variables.js';
import { dashboardFrame } from './frame.js';
import {
  errorRatioStat,
  handlerTimeInGc,
  processingLatencyHeatmap,
  processingLatencyP99Stat,
  processingLatencyPercentiles,
  slowEventsByCause,
} from './shared-panels.js';

/** One destination in detail: opened from the overview's series links with the destination set. */
export function destinationDashboard(options: ResolvedOptions): Dashboard {
  const q = new PromQL(options);
  const panels = new PanelFactory();
  const errorType = q.label(attributes.errorType);
  const operationType = q.label(attributes.operationType);

  return dashboardFrame(
    options,
    'destination',
    'Destination drill-down',
    'One destination (topic, subject, queue, stream) in detail: throughput, latency distribution, event age, errors, slow events and GC share. Open it from the overview by clicking a destination series.',
  )
    .variables(dashboardVariables(q, options, 'processDuration', { destination: { multi: false } }))
    .withRow(panels.row('$destination at a glance'))
    .withPanel(
      panels.stat({
        title: 'Consumed / s',
        description:
          'Events delivered to handlers of this destination per second. Bad: zero while producers still send to it.',
        unit: 'ops',
        queries: [{ expr: sum([], q.rate('consumedMessages')) }],
      }),
    )
    .withPanel(
      errorRatioStat(
        panels,
        q,
        "Share of this destination's events whose handler failed. Bad: above your SLO (orange from 1 %, red from 5 %).",
      ),
    )
    .withPanel(
      processingLatencyP99Stat(
        panels,
        q,
        'The time 99 % of events of this destination finish within. Bad: above your latency objective (orange from 100 ms, red from 500 ms).',
      ),
    )
    .withPanel(
      panels.stat({
        title: 'In flight',
        description:
          'Events of this destination being processed right now. Bad: growing without bound (stuck handlers) or pinned at the concurrency limit.',
        unit: 'short',
        queries: [{ expr: sum([], q.instant('inFlight')) }],
      }),
    )
    .withRow(panels.row('Throughput and latency'))
    .withPanel(
      panels.timeseries({
        title: 'Sent and consumed per second',
        description:
          'Events producers sent to this destination and events its consumers processed. Bad: sent persistently above consumed: a backlog builds (watch event age).',
        unit: 'ops',
        queries: [
          { expr: sum([], q.rate('sentMessages')), legend: 'sent' },
          { expr: sum([], q.rate('consumedMessages')), legend: 'consumed' },
        ],
      }),
    )
    .withPanel(
      processingLatencyPercentiles(
        panels,
        q,
        'Handler processing time percentiles for this destination. Bad: a widening gap between p50 and p99 (a slow tail, often GC) or all rising together.',
      ),
    )
    .withPanel(
      processingLatencyHeatmap(
        panels,
        q,
        'Events per latency bucket over time for this destination. Bad: a second band above the main one (some events much slower: GC, a slow dependency).',
      ),
    )
    .withPanel(
      panels.timeseries({
        title: 'Event age p50 / p99',
        description:
          'Age of events when their handler starts (now minus creation time). Bad: rising steadily: consumers are behind and the backlog grows.',
        unit: 's',
        queries: [
          { expr: q.quantile(0.5, 'eventAge'), legend: 'p50' },
          { expr: q.quantile(0.99, 'eventAge'), legend: 'p99' },
        ],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Send latency p99',
        description:
          'The slowest 1 % of send calls to this destination, as the wrapped producer measured them. Bad: rising: the broker or network is slow, and producers block.',
        unit: 's',
        queries: [
          {
            expr: q.quantile(0.99, 'clientOperationDuration', [operationType]),
            legend: `{{${operationType}}}`,
          },
        ],
      }),
    )
    .withRow(panels.row('Errors and slow events'))
    .withPanel(
      panels.timeseries({
        title: 'Failures per second by error type',
        description:
          'Handler failures per second for this destination, by error.type. Bad: a new error type, or a rate that tracks a deploy.',
        unit: 'ops',
        stacked: true,
        queries: [
          {
            expr: sum([errorType], q.rate('processDuration', 'count', [`${errorType}!=""`])),
            legend: `{{${errorType}}}`,
          },
        ],
      }),
    )
    .withPanel(
      slowEventsByCause(
        panels,
        q,
        'Events over the slow threshold per second, by dominant cause (gc, event_loop, handler). Bad: gc dominating: memory pressure, not the handler, makes these events slow.',
      ),
    )
    .withPanel(
      handlerTimeInGc(
        panels,
        q,
        {
          title: 'Share of processing time in GC pauses',
          description:
            "GC pause time that overlapped this destination's running handlers, divided by their processing time. Bad: above a few percent.",
        },
        false,
      ),
    )
    .build();
}
