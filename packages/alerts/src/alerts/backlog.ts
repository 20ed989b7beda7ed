import { formatDuration, type ResolvedSlo } from '@eventscope/config';
import {
  backlogConsumers,
  backlogGrowth,
  backlogOldestAge,
  backlogUnsettled,
  backlogWaiting,
  label,
  num,
  on,
  percentile,
  sloScope,
  sum,
} from '@eventscope/config/promql';
import {
  type AlertContext,
  type AlertDefinition,
  type ExpectedAlert,
  forOf,
  pick,
  type RuleInstance,
  type RunbookCheck,
  type Scenario,
  scenarioService,
  targetLabels,
} from '../alert.js';
import type { SeriesBuilder } from '../synthetic.js';
import { dest, svc } from './label-refs.js';

/**
 * What the broker knows: the backlog it holds for a consumer (group), read by `watchBacklog`.
 * These alerts need no processed event and no instrumented producer, so they see the consumer
 * that has stopped altogether, which event age (measured when an event is handled) cannot.
 * Every instance that watches a destination reads the same broker count: the figures combine
 * with `max` over instances (the vocabulary's broker figures), never `sum`.
 */

/** Labels a backlog keeps: service, system, destination and consumer group. */
const backlogBy = (ctx: AlertContext) => [...ctx.q.byDestination, label.consumerGroup];

const group = `{{ $labels.${label.consumerGroup} }}`;

/** The window the backlog's growth is fitted over: the profile's medium `for:` (10m; 30s in test). */
const growthWindow = (ctx: AlertContext) => formatDuration(forOf(ctx, 'medium'));

/**
 * Two instances of the scenario service watching `destination` (they read the same broker count,
 * as the workers of one consumer do), and the labels an alert keeps.
 */
function watchers(ctx: AlertContext, destination: string, service = scenarioService(ctx)) {
  const at = (instance: string) => ({
    ...targetLabels(ctx, service, instance),
    [label.system]: 'nats',
    [label.destination]: destination,
    [label.consumerGroup]: 'billing',
  });
  const instances = [at('10.0.0.1:9464'), at('10.0.0.2:9464')];
  return { instances, labels: pick(instances[0]!, backlogBy(ctx)) };
}

/** The same broker gauge on every instance that watches a destination. */
function everyWatcher(
  s: SeriesBuilder,
  instances: readonly Record<string, string>[],
  write: (s: SeriesBuilder, labels: Record<string, string>) => void,
): void {
  for (const labels of instances) write(s, labels);
}

const backlogChecks = (ctx: AlertContext): RunbookCheck[] => {
  const { q, window } = ctx;
  const by = backlogBy(ctx);
  return [
    { title: 'Messages waiting per destination and group', expr: backlogWaiting(q, by) },
    { title: 'Messages delivered, not settled yet', expr: backlogUnsettled(q, by) },
    { title: 'Lag in time: age of the oldest waiting message', expr: backlogOldestAge(q, by) },
    { title: 'Consumers the broker sees attached', expr: backlogConsumers(q, by) },
    {
      title: `Backlog growth, messages per second over ${growthWindow(ctx)}`,
      expr: backlogGrowth(q, by, growthWindow(ctx)),
    },
    {
      title: 'Event age p99 of the events that are processed',
      expr: percentile(q, 0.99, 'eventAge', q.byDestination, window),
    },
    {
      title: 'Backlog reads that failed (the gauges keep their last value meanwhile)',
      expr: sum(
        [...q.byInstance, label.component],
        q.increase('instrumentationErrors', 'value', window, [`${label.component}="backlog"`]),
      ),
    },
  ];
};

export const backlogGrowing: AlertDefinition = {
  name: 'EventscopeBacklogGrowing',
  group: 'pipeline',
  meaning:
    'The broker holds more messages for a consumer (group) than the configured floor, and the number keeps growing.',
  details: [
    'Producers add messages faster than the consumers take them, as the broker counts them: the backlog will not drain by itself, and every message in it gets older while it waits.',
    "The figure is the broker's own (RabbitMQ ready messages, JetStream pending, Redis Streams group lag), read by eventscope beside the consumers; it needs no processed event and no instrumented producer. Brokers that keep no backlog (MQTT, core NATS) report none, and this alert stays silent for them.",
  ].join('\n\n'),
  causes: [
    'Consumers slower than producers: slower handlers (GC, event-loop delay, a slow dependency) or fewer consumers.',
    'A traffic spike above the consumers’ capacity.',
    'Consumers stopped or stuck (see EventscopeConsumersAbsent and the lag in time).',
  ],
  actions: [
    'Compare the growth with the consumed rate: scale consumers out or raise their concurrency (prefetch) if handlers are healthy.',
    'If handlers became slower, treat the cause (latency, GC and event-loop alerts).',
  ],
  checks: backlogChecks,
  rules: (ctx) => {
    const by = backlogBy(ctx);
    return [
      {
        expr: [
          `${backlogGrowth(ctx.q, by, growthWindow(ctx))} > 0`,
          `and ${on(by)}`,
          `${backlogWaiting(ctx.q, by)} > ${num(ctx.th.backlogWaitingFloor)}`,
        ].join('\n'),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'medium'),
        summary: `Backlog growing on ${dest} (${svc(ctx)})`,
        description: `The broker's backlog for ${group} on ${dest} grew by {{ $value | humanize }} messages/s over the last ${growthWindow(ctx)} (alerting above ${num(ctx.th.backlogWaitingFloor)} waiting).`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => [growingScenario(ctx, rule!)],
};

/**
 * From the onset the backlog of `orders.created` grows by 2 messages/s above the floor (both
 * watchers read it: one alert, valued at the growth, not twice it); a steady backlog above the
 * floor, a draining one and one growing below the floor stay silent.
 */
function growingScenario(ctx: AlertContext, rule: RuleInstance): Scenario {
  const floor = ctx.th.backlogWaitingFloor;
  const growth = 2;
  const settle = forOf(ctx, 'medium');
  const after = settle + rule.forSeconds;
  const fires = watchers(ctx, 'orders.created');
  const steady = watchers(ctx, 'payments.settled');
  const drains = watchers(ctx, 'refunds.issued');
  const small = watchers(ctx, 'audit.logged');
  return {
    title: `a backlog above ${num(floor)} grows by ${growth}/s: fires once for both watchers; steady, draining, or growing below the floor: silent`,
    onsetSeconds: 2 * forOf(ctx, 'medium'),
    settleSeconds: settle,
    build: (s) => {
      everyWatcher(s, fires.instances, (b, l) =>
        b.gauge('backlogWaiting', l, 2 * floor, { start: 2 * floor, perSecond: growth }),
      );
      everyWatcher(s, steady.instances, (b, l) => b.gauge('backlogWaiting', l, 3 * floor));
      everyWatcher(s, drains.instances, (b, l) => falling(b, l, 10 * floor, floor / (2 * after)));
      everyWatcher(s, small.instances, (b, l) =>
        b.gauge('backlogWaiting', l, 0, { start: 0, perSecond: floor / (2 * after) }),
      );
    },
    expected: [{ rule, labels: fires.labels, value: growth }],
  };
}

/** `backlogWaiting` at `from` until the onset, then falling by `perSecond` (promtool writes a fall as `a-bxn`). */
function falling(s: SeriesBuilder, labels: Record<string, string>, from: number, perSecond: number): void {
  const { onset, end, stepSeconds } = s.t;
  s.raw(
    'backlogWaiting',
    labels,
    `${num(from)}+0x${onset - 1} ${num(from)}-${num(perSecond * stepSeconds)}x${end - onset}`,
  );
}

/** One rule per freshness objective: the lag in time within its scope over its threshold. */
const freshnessObjectives = (ctx: AlertContext) =>
  ctx.config.slos.filter((slo): slo is ResolvedSlo & { threshold: number } => {
    return slo.kind === 'freshness' && slo.threshold !== undefined;
  });

const sloOfLagRule = new WeakMap<RuleInstance, ResolvedSlo & { threshold: number }>();

export const lagOverFreshness: AlertDefinition = {
  name: 'EventscopeLagOverFreshness',
  group: 'pipeline',
  meaning:
    "The oldest message waiting in the broker is older than the freshness objective's threshold: the consumer is behind by more than the objective allows.",
  details: [
    "The broker's lag in time (the age of the oldest message it holds for the consumer group) is compared with the threshold of each freshness objective, within the objective's service and destination. Every message handled from now on is already stale.",
    'Event age and the freshness burn-rate alerts see stale events only once they are processed; this alert sees them waiting, so it also fires for a consumer that is attached but stuck (a handler that never settles, a full prefetch window), which processes nothing. It is silent where the broker cannot tell the age of its oldest message.',
  ].join('\n\n'),
  causes: [
    'A consumer stuck on a message (a handler that never returns), or a full prefetch window of unsettled messages.',
    'Consumers slower than producers: the backlog grows and its oldest message ages.',
    'Consumers stopped, or restarting in a loop.',
  ],
  actions: [
    'Look at unsettled messages and in-flight events: high and flat means handlers hang; restart the stuck consumer.',
    'If the backlog grows, scale consumers out or raise their concurrency; if handlers are slow, treat the cause.',
  ],
  checks: backlogChecks,
  rules: (ctx) =>
    freshnessObjectives(ctx).map((slo) => {
      const rule: RuleInstance = {
        expr: `${backlogOldestAge(sloScope(ctx.q, slo), backlogBy(ctx))} > ${num(slo.threshold)}`,
        severity: 'page',
        // Also the series' own label in the burn-rate alerts; keeps each objective's rule distinct.
        labels: { slo: slo.name },
        forSeconds: forOf(ctx, 'medium'),
        summary: `Consumers of ${dest} are behind by more than SLO ${slo.name} allows`,
        description: `The oldest message waiting for ${group} on ${dest} (${svc(ctx)}) is {{ $value | humanizeDuration }} old; the freshness objective ${slo.name} counts events older than ${num(slo.threshold)} s as bad.`,
      };
      sloOfLagRule.set(rule, slo);
      return rule;
    }),
  scenarios: (ctx, rules) => freshnessObjectives(ctx).map((slo) => lagScenario(ctx, rules, slo)),
};

/** Which lag rules fire for a series of this lag: those whose objective's scope holds it and whose threshold it exceeds. */
function expectedLags(
  ctx: AlertContext,
  rules: readonly RuleInstance[],
  labels: Record<string, string>,
  lag: number,
): ExpectedAlert[] {
  return rules.flatMap((rule) => {
    const slo = sloOfLagRule.get(rule)!;
    if (slo.service !== undefined && labels[ctx.q.service] !== slo.service) return [];
    if (slo.destination !== undefined && labels[label.destination] !== slo.destination) return [];
    // The rule adds `slo` itself (staticLabels); annotation templates see only the expression's labels.
    return lag > slo.threshold ? [{ rule, labels, value: lag }] : [];
  });
}

/**
 * Within the objective's scope, the oldest waiting message jumps to twice its threshold: fires
 * (once for both watchers); a destination within every threshold, and one whose broker reports a
 * backlog but cannot tell its age: silent.
 */
function lagScenario(ctx: AlertContext, rules: RuleInstance[], slo: ResolvedSlo & { threshold: number }) {
  const service = slo.service ?? scenarioService(ctx);
  const fires = watchers(ctx, slo.destination ?? 'orders.created', service);
  const calm = watchers(ctx, 'payments.settled', service);
  const blind = watchers(ctx, 'audit.logged', service);
  const fresh = Math.min(...freshnessObjectives(ctx).map((o) => o.threshold)) / 2;
  const stale = 2 * slo.threshold;
  return {
    title: `${slo.name}: the oldest waiting message ${num(stale)} s old: fires; ${num(fresh)} s, or a broker that cannot tell the age: silent`,
    onsetSeconds: 2 * ctx.profile.stepSeconds,
    settleSeconds: ctx.profile.stepSeconds,
    build: (s: SeriesBuilder) => {
      everyWatcher(s, fires.instances, (b, l) => {
        b.gauge('backlogOldestAge', l, fresh, stale);
        b.gauge('backlogWaiting', l, 1, 500);
      });
      everyWatcher(s, calm.instances, (b, l) => b.gauge('backlogOldestAge', l, fresh));
      everyWatcher(s, blind.instances, (b, l) => b.gauge('backlogWaiting', l, 1, 500));
    },
    expected: expectedLags(ctx, rules, fires.labels, stale),
    watches: rules.filter((r) => sloOfLagRule.get(r) === slo),
  } satisfies Scenario;
}

export const consumersAbsent: AlertDefinition = {
  name: 'EventscopeConsumersAbsent',
  group: 'pipeline',
  meaning: 'Messages wait in the broker for a consumer (group) that has no consumer attached.',
  details: [
    'The broker holds messages for the group and sees no consumer to deliver them to: nothing will be processed until one attaches, and the backlog only grows.',
    'It reads only what the broker reports, so it fires with no event processed at all and whether or not the producers are instrumented by eventscope (EventscopeConsumerStalled needs instrumented producers). The reading comes from an eventscope process that watches the destination: a consumer process whose consumer was cancelled, or any other process watching it. When every such process is down, its target is down instead (EventscopeTargetDown).',
  ].join('\n\n'),
  causes: [
    'The consumers crashed, were scaled to zero, or lost their subscription (broker failover, a deleted or expired consumer, a cancelled channel).',
    'A deploy that stopped the old consumers before the new ones attached.',
    'A configuration change that pointed the consumers at another queue, subject or group.',
  ],
  actions: [
    'Check the consumer processes are running and connected; restart them or redeploy their subscription.',
    'Once they attach, watch the backlog drain and the lag in time fall.',
  ],
  checks: backlogChecks,
  rules: (ctx) => {
    const by = backlogBy(ctx);
    return [
      {
        expr: [
          `${backlogWaiting(ctx.q, by)} > 0`,
          `and ${on(by)}`,
          `${backlogConsumers(ctx.q, by)} == 0`,
        ].join('\n'),
        severity: 'page',
        forSeconds: forOf(ctx, 'short'),
        summary: `No consumer attached to ${dest} while messages wait`,
        description: `{{ $value | humanize }} messages wait for ${group} on ${dest} ({{ $labels.${label.system} }}, ${svc(ctx)}) and the broker sees no consumer attached.`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => [absentScenario(ctx, rule!)],
};

/**
 * Only broker gauges, no processed event and no producer series: the consumers of one group
 * detach while 40 messages wait: fires (once for both watchers); consumers attached, no consumer
 * and nothing waiting, or a broker that cannot tell its consumers: silent.
 */
function absentScenario(ctx: AlertContext, rule: RuleInstance): Scenario {
  const waiting = 40;
  const fires = watchers(ctx, 'orders.created');
  const attached = watchers(ctx, 'payments.settled');
  const idle = watchers(ctx, 'refunds.issued');
  const blind = watchers(ctx, 'audit.logged');
  return {
    title: `${waiting} messages wait and the consumers detach: fires once for both watchers; consumers attached, nothing waiting, or consumers unknown: silent`,
    onsetSeconds: 2 * ctx.profile.stepSeconds,
    settleSeconds: ctx.profile.stepSeconds,
    build: (s) => {
      everyWatcher(s, fires.instances, (b, l) => {
        b.gauge('backlogWaiting', l, waiting);
        b.gauge('backlogConsumers', l, 2, 0);
      });
      everyWatcher(s, attached.instances, (b, l) => {
        b.gauge('backlogWaiting', l, waiting);
        b.gauge('backlogConsumers', l, 2);
      });
      everyWatcher(s, idle.instances, (b, l) => {
        b.gauge('backlogWaiting', l, 0);
        b.gauge('backlogConsumers', l, 2, 0);
      });
      everyWatcher(s, blind.instances, (b, l) => b.gauge('backlogWaiting', l, waiting));
    },
    expected: [{ rule, labels: fires.labels, value: waiting }],
  };
}

export const backlogAlerts: AlertDefinition[] = [consumersAbsent, lagOverFreshness, backlogGrowing];
