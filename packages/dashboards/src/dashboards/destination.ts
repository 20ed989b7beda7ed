import type { ResolvedConfig } from '@eventscope/config';
import { label, percentile, sum } from '@eventscope/config/promql';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE_INTERVAL } from '../queries.js';
import { dashboardVariables } from '../variables.js';
import { backlogOverTime, backlogStats } from './backlog-panels.js';
import { dashboardContext } from './context.js';
import { dashboardFrame } from './frame.js';
import {
  errorRatioStat,
  handlerTimeInGcPanel,
  processingLatencyHeatmap,
  processingLatencyP99Stat,
  processingLatencyPercentiles,
  slowEventsByCause,
} from './shared-panels.js';

/** One destination in detail: opened from the overview's series links with the destination set. */
export function destinationDashboard(config: ResolvedConfig): Dashboard {
  const ctx = dashboardContext(config);
  const { q, producer, panels } = ctx;
  const errorType = label.errorType;
  const consumed = q.sumRate([], 'consumedMessages', 'value', RATE_INTERVAL);

  const builder = dashboardFrame(
    config,
    'destination',
    'Destination drill-down',
    'One destination (topic, subject, queue, stream) in detail: throughput, latency distribution, event age, the backlog the broker holds, errors, slow events and GC share. Open it from the overview by clicking a destination series.',
  )
    .variables(dashboardVariables(config, 'processDuration', { destination: { multi: false } }))
    .withRow(panels.row('$destination at a glance'))
    .withPanel(
      panels.stat({
        title: 'Consumed / s',
        description:
          'Events delivered to handlers of this destination per second. Bad: zero while producers still send to it.',
        unit: 'ops',
        queries: [{ expr: consumed }],
      }),
    )
    .withPanel(
      errorRatioStat(ctx, "Share of this destination's events whose handler failed. Bad: above your SLO"),
    )
    .withPanel(
      processingLatencyP99Stat(
        ctx,
        'The time 99 % of events of this destination finish within. Bad: above your latency objective',
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
          { expr: producer.sumRate([], 'sentMessages', 'value', RATE_INTERVAL), legend: 'sent' },
          { expr: consumed, legend: 'consumed' },
        ],
      }),
    )
    .withPanel(
      processingLatencyPercentiles(
        ctx,
        'Handler processing time percentiles for this destination. Bad: a widening gap between p50 and p99 (a slow tail, often GC) or all rising together.',
      ),
    )
    .withPanel(
      processingLatencyHeatmap(
        ctx,
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
          { expr: percentile(q, 0.5, 'eventAge', [], RATE_INTERVAL), legend: 'p50' },
          { expr: percentile(q, 0.99, 'eventAge', [], RATE_INTERVAL), legend: 'p99' },
        ],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Send latency p99',
        description:
          'The slowest 1 % of send calls to this destination, as the wrapped producer measured them; the consumer group does not narrow it (producers send to a destination, not to a group). Bad: rising: the broker or network is slow, and producers block.',
        unit: 's',
        queries: [
          {
            expr: producer.quantile(0.99, 'clientOperationDuration', [], RATE_INTERVAL, [
              `${label.operationType}="send"`,
            ]),
            legend: 'send p99',
          },
        ],
      }),
    )
    .withRow(panels.row('$destination backlog (from the broker)'));
  for (const panel of [...backlogStats(ctx), ...backlogOverTime(ctx)]) builder.withPanel(panel);

  return builder
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
            expr: q.sumRate([errorType], 'processDuration', 'count', RATE_INTERVAL, [`${errorType}!=""`]),
            legend: `{{${errorType}}}`,
          },
        ],
      }),
    )
    .withPanel(
      slowEventsByCause(
        ctx,
        'Events over the slow threshold per second, by dominant cause (gc, event_loop, handler). Bad: gc dominating: memory pressure, not the handler, makes these events slow.',
      ),
    )
    .withPanel(
      handlerTimeInGcPanel(
        ctx,
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
