import { panelSteps, type ResolvedConfig } from '@eventscope/config';
import { cpuCores, errorRatioByType, label, percentile, sum, throughput } from '@eventscope/config/promql';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE_INTERVAL } from '../queries.js';
import { dashboardVariables } from '../variables.js';
import { backlogByDestination } from './backlog-panels.js';
import { dashboardContext } from './context.js';
import { dashboardFrame, drillDownLink } from './frame.js';
import {
  errorRatioStat,
  handlerTimeInGcPanel,
  processingLatencyHeatmap,
  processingLatencyP99Stat,
  processingLatencyPercentiles,
  slowEventsByCause,
} from './shared-panels.js';
import { sloPanels } from './slo.js';
import { stepsText } from './thresholds.js';

/** Event pipeline overview: is the pipeline keeping up, how fast, how old, how often failing, and why slow. */
export function overviewDashboard(config: ResolvedConfig): Dashboard {
  const ctx = dashboardContext(config);
  const { q, producer, panels } = ctx;
  const destination = label.destination;
  const errorType = label.errorType;
  const toDrillDown = [drillDownLink(config)];
  const eventAgeSteps = panelSteps('eventAgeP99', config.thresholds);

  const builder = dashboardFrame(
    config,
    'overview',
    'Event pipeline overview',
    'Throughput, processing latency, event age, the backlog the broker holds, errors, in-flight and slow events of every instrumented handler. Click a destination to drill down.',
  )
    .variables(dashboardVariables(config, 'processDuration'))
    .withRow(panels.row('At a glance'))
    .withPanel(
      panels.stat({
        title: 'Events processed / s',
        description:
          'Events all selected handlers finished per second (successes and failures). Bad: a drop to zero while producers still send, or a sudden fall after a deploy.',
        unit: 'ops',
        queries: [{ expr: throughput(q, [], RATE_INTERVAL) }],
      }),
    )
    .withPanel(
      errorRatioStat(
        ctx,
        'Share of processed events whose handler threw or rejected. Bad: above your error budget',
      ),
    )
    .withPanel(
      processingLatencyP99Stat(
        ctx,
        'The time 99 % of events finish within, from handler call to return or settle. Bad: rising after a deploy or under memory pressure',
      ),
    )
    .withPanel(
      panels.stat({
        title: 'p99 event age',
        description: `End-to-end age of events when their handler starts (now minus creation time). Bad: growing steadily, which means a backlog is building (${stepsText(eventAgeSteps, 's')}).`,
        unit: 's',
        queries: [{ expr: percentile(q, 0.99, 'eventAge', [], RATE_INTERVAL) }],
        thresholds: eventAgeSteps,
      }),
    )
    .withRow(panels.row('Throughput'))
    .withPanel(
      panels.timeseries({
        title: 'Consumed per second by destination',
        description:
          'Events the wrapped consumers delivered to their handlers, per destination (stacked). Bad: a destination dropping to zero while its producers still send. Click a series to drill down.',
        unit: 'ops',
        stacked: true,
        queries: [
          {
            expr: q.sumRate([destination], 'consumedMessages', 'value', RATE_INTERVAL),
            legend: `{{${destination}}}`,
          },
        ],
        dataLinks: toDrillDown,
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Sent per second by destination',
        description:
          'Events the wrapped producers sent, per destination (stacked). Bad: sent rate persistently above the consumed rate of the same destination: consumers are falling behind.',
        unit: 'ops',
        stacked: true,
        queries: [
          {
            expr: producer.sumRate([destination], 'sentMessages', 'value', RATE_INTERVAL),
            legend: `{{${destination}}}`,
          },
        ],
        dataLinks: toDrillDown,
      }),
    )
    .withRow(panels.row('Latency'))
    .withPanel(
      processingLatencyPercentiles(
        ctx,
        'Handler processing time percentiles across the selected destinations. Bad: p99 far above p50 (a slow tail, often GC pauses) or all three rising together (more work per event).',
      ),
    )
    .withPanel(
      processingLatencyHeatmap(
        ctx,
        'How many events finished in each latency bucket over time. Bad: a second band appearing above the main one (a slow mode, e.g. events hit by GC pauses) or the band drifting upward.',
      ),
    )
    .withPanel(
      panels.timeseries({
        title: 'p99 processing latency by destination',
        description:
          'The slowest 1 % of events per destination. Bad: one destination far above the others (its handler or its downstream is slow). Click a series to drill down.',
        unit: 's',
        queries: [
          {
            expr: percentile(q, 0.99, 'processDuration', [destination], RATE_INTERVAL),
            legend: `{{${destination}}}`,
          },
        ],
        dataLinks: toDrillDown,
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Event age p99 (end to end)',
        description:
          "Age of events when their handler starts, from the broker's timestamp or the producer's creation header. Bad: climbing without coming back down: consumers cannot keep up and a backlog grows.",
        unit: 's',
        queries: [
          {
            expr: percentile(q, 0.99, 'eventAge', [destination], RATE_INTERVAL),
            legend: `{{${destination}}}`,
          },
        ],
        dataLinks: toDrillDown,
      }),
    )
    .withRow(panels.row('Backlog and lag (from the broker)'));
  for (const panel of backlogByDestination(ctx)) builder.withPanel(panel);

  builder
    .withRow(panels.row('Errors, load and slow events'))
    .withPanel(
      panels.timeseries({
        title: 'Error ratio by error type',
        description:
          'Share of processed events that failed, split by error.type (exception name; _OTHER for rare ones). Bad: a new error type appearing, or any ratio above your SLO.',
        unit: 'percentunit',
        min: 0,
        queries: [{ expr: errorRatioByType(q, [], RATE_INTERVAL), legend: `{{${errorType}}}` }],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'In-flight events by destination',
        description:
          'Events whose handler has started and not yet finished. Bad: steadily rising (handlers hang or a downstream call never returns) or pinned at the consumer concurrency limit.',
        unit: 'short',
        queries: [{ expr: sum([destination], q.instant('inFlight')), legend: `{{${destination}}}` }],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'CPU by service (user / system)',
        description:
          'CPU the instrumented processes of each service used, in cores (CPU seconds per second), split into user and system (kernel) time. Bad: near the cores the service is given (it is CPU-bound: latency and event age rise), or a step up after a deploy at the same throughput.',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: cpuCores(q, [q.service], RATE_INTERVAL),
            legend: `{{${q.service}}} {{${label.cpuMode}}}`,
          },
        ],
      }),
    )
    .withPanel(
      slowEventsByCause(
        ctx,
        'Events over the slow threshold per second, by dominant cause: gc (GC pauses covered most of the event), event_loop (it waited on a blocked loop), handler (its own work). Bad: gc dominating: memory pressure is costing latency.',
      ),
    )
    .withPanel(
      handlerTimeInGcPanel(
        ctx,
        {
          title: 'Share of processing time in GC pauses',
          description:
            'GC pause time that overlapped in-flight events, divided by total processing time. Bad: above a few percent: garbage collection, not your code, is adding latency (see the runtime dashboard).',
        },
        true,
      ),
    );

  sloPanels(builder, ctx);
  return builder.build();
}
