import { attributes } from '@eventscope/catalog';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedOptions, ResolvedSlo } from '../options.js';
import { PanelFactory } from '../panels.js';
import { PromQL, sum } from '../promql.js';
import { dashboardVariables } from '../variables.js';
import { dashboardFrame, drillDownLink } from './frame.js';
import {
  errorRatioStat,
  handlerTimeInGc,
  processingLatencyHeatmap,
  processingLatencyP99Stat,
  processingLatencyPercentiles,
  slowEventsByCause,
} from './shared-panels.js';
import { processedShare, successShare } from './sli.js';
import { thresholds } from './thresholds.js';

/** Event pipeline overview: is the pipeline keeping up, how fast, how old, how often failing, and why slow. */
export function overviewDashboard(options: ResolvedOptions): Dashboard {
  const q = new PromQL(options);
  const panels = new PanelFactory();
  const destination = q.label(attributes.destination);
  const errorType = q.label(attributes.errorType);
  const toDrillDown = [drillDownLink(options)];

  const builder = dashboardFrame(
    options,
    'overview',
    'Event pipeline overview',
    'Throughput, processing latency, event age, errors, in-flight and slow events of every instrumented handler. Click a destination to drill down.',
  )
    .variables(dashboardVariables(q, options, 'processDuration'))
    .withRow(panels.row('At a glance'))
    .withPanel(
      panels.stat({
        title: 'Events processed / s',
        description:
          'Events all selected handlers finished per second (successes and failures). Bad: a drop to zero while producers still send, or a sudden fall after a deploy.',
        unit: 'ops',
        queries: [{ expr: sum([], q.rate('processDuration', 'count')) }],
      }),
    )
    .withPanel(
      errorRatioStat(
        panels,
        q,
        'Share of processed events whose handler threw or rejected. Bad: above your error budget (orange from 1 %, red from 5 %).',
      ),
    )
    .withPanel(
      processingLatencyP99Stat(
        panels,
        q,
        'The time 99 % of events finish within, from handler call to return or settle. Bad: rising after a deploy or under memory pressure (orange from 100 ms, red from 500 ms).',
      ),
    )
    .withPanel(
      panels.stat({
        title: 'p99 event age',
        description:
          'End-to-end age of events when their handler starts (now minus creation time). Bad: growing steadily, which means a backlog is building (orange from 1 s, red from 10 s).',
        unit: 's',
        queries: [{ expr: q.quantile(0.99, 'eventAge') }],
        thresholds: thresholds.eventAgeP99,
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
        queries: [{ expr: sum([destination], q.rate('consumedMessages')), legend: `{{${destination}}}` }],
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
        queries: [{ expr: sum([destination], q.rate('sentMessages')), legend: `{{${destination}}}` }],
        dataLinks: toDrillDown,
      }),
    )
    .withRow(panels.row('Latency'))
    .withPanel(
      processingLatencyPercentiles(
        panels,
        q,
        'Handler processing time percentiles across the selected destinations. Bad: p99 far above p50 (a slow tail, often GC pauses) or all three rising together (more work per event).',
      ),
    )
    .withPanel(
      processingLatencyHeatmap(
        panels,
        q,
        'How many events finished in each latency bucket over time. Bad: a second band appearing above the main one (a slow mode, e.g. events hit by GC pauses) or the band drifting upward.',
      ),
    )
    .withPanel(
      panels.timeseries({
        title: 'p99 processing latency by destination',
        description:
          'The slowest 1 % of events per destination. Bad: one destination far above the others (its handler or its downstream is slow). Click a series to drill down.',
        unit: 's',
        queries: [{ expr: q.quantile(0.99, 'processDuration', [destination]), legend: `{{${destination}}}` }],
        dataLinks: toDrillDown,
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Event age p99 (end to end)',
        description:
          "Age of events when their handler starts, from the broker's timestamp or the producer's creation header. Bad: climbing without coming back down: consumers cannot keep up and a backlog grows.",
        unit: 's',
        queries: [{ expr: q.quantile(0.99, 'eventAge', [destination]), legend: `{{${destination}}}` }],
        dataLinks: toDrillDown,
      }),
    )
    .withRow(panels.row('Errors, load and slow events'))
    .withPanel(
      panels.timeseries({
        title: 'Error ratio by error type',
        description:
          'Share of processed events that failed, split by error.type (exception name; _OTHER for rare ones). Bad: a new error type appearing, or any ratio above your SLO.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `${sum([errorType], q.rate('processDuration', 'count', [`${errorType}!=""`]))} / scalar(${sum([], q.rate('processDuration', 'count'))})`,
            legend: `{{${errorType}}}`,
          },
        ],
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
      slowEventsByCause(
        panels,
        q,
        'Events over the slow threshold per second, by dominant cause: gc (GC pauses covered most of the event), event_loop (it waited on a blocked loop), handler (its own work). Bad: gc dominating: memory pressure is costing latency.',
      ),
    )
    .withPanel(
      handlerTimeInGc(
        panels,
        q,
        {
          title: 'Share of processing time in GC pauses',
          description:
            'GC pause time that overlapped in-flight events, divided by total processing time. Bad: above a few percent: garbage collection, not your code, is adding latency (see the runtime dashboard).',
        },
        true,
      ),
    );

  if (options.slo) sloPanels(builder, q, panels, options.slo);
  return builder.build();
}

/** Burn rate over the paging windows and error budget left over the SLO window, per configured SLO. */
function sloPanels(
  builder: ReturnType<typeof dashboardFrame>,
  q: PromQL,
  panels: PanelFactory,
  slo: ResolvedSlo,
): void {
  builder.withRow(panels.row('Service-level objectives'));
  const objectives: { name: string; objective: number; good: (window: string) => string }[] = [];
  if (slo.availability !== undefined) {
    objectives.push({
      name: `availability ${(slo.availability * 100).toFixed(2)} %`,
      objective: slo.availability,
      good: (window) => successShare(q, window),
    });
  }
  if (slo.latency) {
    const { thresholdSeconds, objective } = slo.latency;
    objectives.push({
      name: `latency ≤ ${thresholdSeconds} s for ${(objective * 100).toFixed(2)} %`,
      objective,
      good: (window) => processedShare(q, thresholdSeconds, window),
    });
  }
  for (const { name, objective, good } of objectives) {
    const budget = Number((1 - objective).toPrecision(6));
    const burn = (window: string) => `(1 - (${good(window)})) / ${budget}`;
    builder
      .withPanel(
        panels.timeseries({
          title: `Burn rate: ${name}`,
          description: `How fast the error budget of the ${name} SLO is being spent: 1 spends it exactly over the SLO window. Bad: above 14.4 over 1h (pages) or above 6 over 6h.`,
          unit: 'short',
          width: 16,
          min: 0,
          queries: [
            { expr: burn('1h'), legend: '1h' },
            { expr: burn('6h'), legend: '6h' },
          ],
          thresholds: thresholds.burnRate,
        }),
      )
      .withPanel(
        panels.stat({
          title: `Error budget left: ${name}`,
          description: `Share of the ${name} SLO's error budget left over the last ${slo.window}. Bad: below 25 % (slow down risky changes), negative (the SLO is broken).`,
          unit: 'percentunit',
          width: 8,
          height: 8,
          queries: [{ expr: `1 - (${burn(slo.window)})` }],
          baseColor: 'red',
          thresholds: thresholds.budgetLeft,
        }),
      );
  }
}
