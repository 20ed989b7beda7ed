import { panelSteps } from '@eventscope/config';
import {
  backlogConsumers,
  backlogOldestAge,
  backlogUnsettled,
  backlogWaiting,
  label,
  percentile,
} from '@eventscope/config/promql';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE_INTERVAL } from '../queries.js';
import type { DashboardContext } from './context.js';
import { drillDownLink } from './frame.js';
import { lagSteps, stepsText } from './thresholds.js';

/**
 * What the broker holds for the consumers (`eventscope.backlog.*`, read by `watchBacklog`): the
 * messages waiting, those delivered and not settled, the lag in time and the consumers attached.
 * Every instance that watches a destination reads the same broker count, so the vocabulary's
 * broker figures take the max over instances (and, per destination, the group furthest behind).
 * Brokers that keep no backlog (MQTT, core NATS) report none: these panels stay empty for them.
 */

const FROM_BROKER = 'Read from the broker by eventscope, so it shows a consumer that has stopped too.';

/** ` (orange from …, red from …)` for a description, or nothing when no alert judges the value. */
const colours = (steps: readonly { value: number; color: string }[], unit: string) =>
  steps.length ? ` (${stepsText(steps, unit)})` : '';

/** The overview's backlog row: lag, waiting, unsettled and consumers, one line per destination. */
export function backlogByDestination(ctx: DashboardContext): cog.Builder<Panel>[] {
  const { config, q, panels } = ctx;
  const by = [label.destination];
  const legend = `{{${label.destination}}}`;
  const links = [drillDownLink(config)];
  const lag = lagSteps(config);
  const waiting = panelSteps('backlogWaiting', config.thresholds);
  return [
    panels.timeseries({
      title: 'Lag in time by destination',
      description: `Age of the oldest message the broker holds for the consumers of each destination: how far behind they are. ${FROM_BROKER} Bad: above the freshness objective's threshold, or climbing while event age stays flat (nothing is processed)${colours(lag, 's')}.`,
      unit: 's',
      min: 0,
      queries: [{ expr: backlogOldestAge(q, by), legend }],
      thresholds: lag,
      dataLinks: links,
    }),
    panels.timeseries({
      title: 'Messages waiting by destination',
      description: `Messages the broker holds for the consumers of each destination and has not delivered yet. ${FROM_BROKER} Bad: growing for minutes: producers outpace the consumers${colours(waiting, 'short')}; a growing backlog alerts above the red step.`,
      unit: 'short',
      min: 0,
      queries: [{ expr: backlogWaiting(q, by), legend }],
      thresholds: waiting,
      dataLinks: links,
    }),
    panels.timeseries({
      title: 'Messages unsettled by destination',
      description:
        'Messages the broker delivered to the consumers of each destination and still waits to see acknowledged. Bad: high and flat while nothing is processed: handlers hang, or the prefetch window is full.',
      unit: 'short',
      min: 0,
      queries: [{ expr: backlogUnsettled(q, by), legend }],
      dataLinks: links,
    }),
    panels.timeseries({
      title: 'Consumers attached by destination',
      description:
        'Consumers the broker sees attached to each destination. Bad: zero while messages wait (EventscopeConsumersAbsent pages), or dropping during a deploy and not coming back.',
      unit: 'short',
      min: 0,
      queries: [{ expr: backlogConsumers(q, by), legend }],
      dataLinks: links,
    }),
  ];
}

/** The drill-down's backlog stats: lag in time, waiting, unsettled, consumers attached. */
export function backlogStats(ctx: DashboardContext): cog.Builder<Panel>[] {
  const { config, q, panels } = ctx;
  const lag = lagSteps(config);
  const waiting = panelSteps('backlogWaiting', config.thresholds);
  return [
    panels.stat({
      title: 'Lag in time',
      description: `Age of the oldest message the broker holds for this destination's consumers (the group furthest behind). ${FROM_BROKER} Bad: above the freshness objective's threshold${colours(lag, 's')}.`,
      unit: 's',
      queries: [{ expr: backlogOldestAge(q, []) }],
      thresholds: lag,
    }),
    panels.stat({
      title: 'Messages waiting',
      description: `Messages the broker holds for this destination's consumers, not delivered yet. Bad: growing; a growing backlog alerts above the red step${colours(waiting, 'short')}.`,
      unit: 'short',
      queries: [{ expr: backlogWaiting(q, []) }],
      thresholds: waiting,
    }),
    panels.stat({
      title: 'Messages unsettled',
      description:
        'Messages delivered to the consumers and not acknowledged yet. Bad: high and flat while nothing is processed (handlers hang, or the prefetch window is full).',
      unit: 'short',
      queries: [{ expr: backlogUnsettled(q, []) }],
    }),
    panels.stat({
      title: 'Consumers attached',
      description:
        'Consumers the broker sees attached to this destination (red at none). Bad: zero while messages wait: nothing will be processed until one attaches.',
      unit: 'short',
      queries: [{ expr: backlogConsumers(q, []) }],
      baseColor: 'red',
      thresholds: [{ value: 1, color: 'green' }],
    }),
  ];
}

/** The drill-down's lag in time beside event age, and the waiting and unsettled messages. */
export function backlogOverTime(ctx: DashboardContext): cog.Builder<Panel>[] {
  const { config, q, panels } = ctx;
  const lag = lagSteps(config);
  return [
    panels.timeseries({
      title: 'Lag in time and event age',
      description: `The age of the oldest waiting message (from the broker) beside the p99 age of the events handled (from the handlers). Bad: the lag climbing while event age stays flat or disappears: the consumer has stopped, and only the broker still sees the messages age${colours(lag, 's')}.`,
      unit: 's',
      min: 0,
      queries: [
        { expr: backlogOldestAge(q, []), legend: 'lag in time (oldest waiting)' },
        { expr: percentile(q, 0.99, 'eventAge', [], RATE_INTERVAL), legend: 'event age p99 (handled)' },
      ],
      thresholds: lag,
    }),
    panels.timeseries({
      title: 'Messages waiting and unsettled',
      description: `Messages the broker holds for this destination's consumers (waiting) and those delivered but not acknowledged (unsettled). Bad: waiting growing for minutes${colours(panelSteps('backlogWaiting', config.thresholds), 'short')}.`,
      unit: 'short',
      min: 0,
      queries: [
        { expr: backlogWaiting(q, []), legend: 'waiting' },
        { expr: backlogUnsettled(q, []), legend: 'unsettled' },
      ],
      thresholds: panelSteps('backlogWaiting', config.thresholds),
    }),
  ];
}
