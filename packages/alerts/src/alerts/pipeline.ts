import { signals } from '@eventscope/catalog';
import { formatDuration } from '@eventscope/config';
import {
  equals,
  errorRatio,
  label,
  max,
  num,
  on,
  percentile,
  propagationErrorRatio,
  sum,
  throughput,
} from '@eventscope/config/promql';
import {
  type AlertContext,
  type AlertDefinition,
  equalityLabels,
  forOf,
  omit,
  pick,
  type RuleInstance,
  type Scenario,
  scenarioService,
  targetLabels,
} from '../alert.js';
import { observationAbove, quantileOfConstant } from '../synthetic.js';
import { dest, inst, svc } from './label-refs.js';
import { counterRisesScenario, increasedAtAll, twoInstances } from './shapes.js';

/** The event pipeline itself: flow, backlog, errors, dead letters, and the health of the instrumentation. */

const errorType = label.errorType;

const flows = (ctx: AlertContext) => {
  const target = targetLabels(ctx, scenarioService(ctx), '10.0.0.1:9464');
  const at = (destination: string) => ({
    ...target,
    [label.system]: 'nats',
    [label.destination]: destination,
    [label.consumerGroup]: 'billing',
  });
  return { fires: at('orders.created'), calm: at('payments.settled'), idle: at('audit.logged') };
};

/** Labels a producer-side series carries: a consumed series' labels without the consumer group. */
const producerSide = (labels: Record<string, string>) => omit(labels, [label.consumerGroup]);

/** Events processed per second per destination, and the traffic floor on it. */
const processed = (ctx: AlertContext) => throughput(ctx.q, ctx.q.byDestination, ctx.window);
const floorOf = (ctx: AlertContext) =>
  `and ${on(ctx.q.byDestination)} ${processed(ctx)} > ${num(ctx.th.trafficFloorPerSecond)}`;

/** Labels of a flow of events from producers to a destination. */
const flow = [label.system, label.destination];

const flowChecks = ({ q, window }: AlertContext) => [
  {
    title: 'Sent and consumed events per second per destination',
    expr: `${q.sumRate(flow, 'sentMessages', 'value', window)}\nor\n${q.sumRate(flow, 'consumedMessages', 'value', window)}`,
  },
  {
    title: 'Event age p99 per destination',
    expr: percentile(q, 0.99, 'eventAge', q.byDestination, window),
  },
  { title: 'Events in flight', expr: sum(q.byDestination, q.instant('inFlight')) },
];

export const consumerStalled: AlertDefinition = {
  name: 'EventscopeConsumerStalled',
  group: 'pipeline',
  meaning: 'Producers send to a destination while no consumer processes anything from it.',
  details:
    'Events are being produced but nothing consumes them: they pile up in the broker (or are dropped, for brokers without persistence). Every minute adds to the backlog the consumers will have to work through.',
  causes: [
    'All consumers crashed, were scaled to zero, or lost their subscription (broker failover, expired consumer).',
    'A consumer is stuck: a handler that never settles, a full prefetch window, a deadlock.',
    'A configuration change pointed consumers at another destination or group.',
  ],
  actions: [
    'Check the consumers are running and connected; look at in-flight events (stuck handlers keep it high).',
    'Restart a stuck consumer; redeploy the subscription configuration.',
  ],
  checks: flowChecks,
  rules: (ctx) => [
    {
      expr: [
        `${ctx.q.sumRate(flow, 'sentMessages', 'value', ctx.window)} > ${num(ctx.th.trafficFloorPerSecond)}`,
        `unless ${on(flow)}`,
        `${ctx.q.sumRate(flow, 'consumedMessages', 'value', ctx.window)} > 0`,
      ].join('\n'),
      severity: 'page',
      forSeconds: forOf(ctx, 'medium'),
      summary: `Nothing consumes ${dest}`,
      description: `Producers send {{ $value | humanize }} events/s to ${dest} ({{ $labels.${label.system} }}) but no consumer processed any in the last ${ctx.window}.`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm, idle } = flows(ctx);
    const busy = Math.max(5, ctx.th.trafficFloorPerSecond * 50);
    return [
      {
        title: `consumers stop while producers send ${busy}/s: fires; consumers keep up, or only a trickle is sent: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          for (const [labels, sent, consumed] of [
            [fires, busy, 0],
            [calm, busy, busy],
            [idle, ctx.th.trafficFloorPerSecond / 10, 0],
          ] as const) {
            if (sent === 0) continue;
            s.counter('sentMessages', producerSide(labels), sent, sent);
            s.counter('consumedMessages', labels, sent, consumed);
          }
        },
        expected: [{ rule: rule!, labels: pick(fires, flow), value: busy }],
      },
    ];
  },
};

export const eventAgeGrowing: AlertDefinition = {
  name: 'EventscopeEventAgeGrowing',
  group: 'pipeline',
  meaning:
    'Median event age at processing start is above the configured age and higher than a while ago: a backlog is building.',
  details:
    'Events wait longer and longer between creation and processing: consumers fall behind producers. The age keeps growing until consumers catch up; freshness objectives burn meanwhile.',
  causes: [
    'Consumers are slower than producers: slower handlers (GC, loop delay, dependencies) or fewer consumers.',
    'A traffic spike above consumer capacity.',
    'Consumers were stalled and now process old events.',
  ],
  actions: [
    'Compare sent and consumed rates; scale consumers out or raise concurrency (prefetch) if handlers are healthy.',
    'If handlers became slower, treat the cause (see latency and GC alerts).',
  ],
  checks: flowChecks,
  rules: (ctx) => {
    const { q, th, profile, window } = ctx;
    const trend = 6 * profile.rateSeconds;
    const median = (at: typeof q) => percentile(at, 0.5, 'eventAge', q.byDestination, window);
    return [
      {
        expr: [
          `${median(q)} > ${num(th.eventAgeSeconds)}`,
          `and ${on(q.byDestination)}`,
          `(`,
          `  ${median(q)}`,
          `-`,
          `  ${median(q.ago(formatDuration(trend)))}`,
          `) > 0`,
          `and ${on(q.byDestination)} ${q.sumRate(q.byDestination, 'eventAge', 'count', window)} > ${num(th.trafficFloorPerSecond)}`,
        ].join('\n'),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'medium'),
        summary: `Backlog building on ${dest} (${svc(ctx)})`,
        description: `Median age of events on ${dest} at processing start is {{ $value | humanizeDuration }} and higher than ${formatDuration(trend)} ago (alerting above ${num(th.eventAgeSeconds)} s).`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => {
    const { fires, calm, idle } = flows(ctx);
    const { th, profile } = ctx;
    // Fresh events fall in the first bucket.
    const fresh = signals.eventAge.buckets[0];
    const old = observationAbove('eventAge', 0.5, th.eventAgeSeconds);
    const busy = Math.max(5, th.trafficFloorPerSecond * 50);
    return [
      {
        title: `median age jumps above ${num(th.eventAgeSeconds)} s: fires; stays fresh, or a trickle of old events: silent`,
        onsetSeconds: 7 * profile.rateSeconds,
        settleSeconds: profile.rateSeconds,
        build: (s) => {
          s.histogram('eventAge', fires, { perSecond: busy, value: fresh }, { perSecond: busy, value: old });
          s.histogram('eventAge', calm, { perSecond: busy, value: fresh }, { perSecond: busy, value: fresh });
          if (th.trafficFloorPerSecond > 0) {
            const trickle = th.trafficFloorPerSecond / 10;
            s.histogram(
              'eventAge',
              idle,
              { perSecond: trickle, value: fresh },
              { perSecond: trickle, value: old },
            );
          }
        },
        expected: [
          {
            rule: rule!,
            labels: pick(fires, ctx.q.byDestination),
            value: quantileOfConstant('eventAge', 0.5, old),
          },
        ],
      },
    ];
  },
};

export const highErrorRatio: AlertDefinition = {
  name: 'EventscopeHighErrorRatio',
  group: 'pipeline',
  meaning: 'The share of events whose handler failed is above the configured ratio, with traffic.',
  details:
    'Handlers throw or reject for a large share of events. Depending on the broker these events are retried (more load, duplicates), dead-lettered, or lost.',
  causes: [
    'Bad input: a producer changed the event schema.',
    'A failing dependency (database, API) the handler calls.',
    'A bug in a new deploy.',
  ],
  actions: [
    'Group failures by error.type to see which error dominates.',
    'Check recent deploys of producers and consumers; roll back if one lines up.',
  ],
  checks: (ctx) => [
    {
      title: 'Failures per second by error type',
      expr: ctx.q.sumRate([...ctx.q.byDestination, errorType], 'processDuration', 'count', ctx.window, [
        `${errorType}!=""`,
      ]),
    },
    { title: 'Events per second', expr: processed(ctx) },
  ],
  rules: (ctx) => [
    {
      expr: [
        errorRatio(ctx.q, ctx.q.byDestination, ctx.window),
        `> ${num(ctx.th.errorRatio)}`,
        floorOf(ctx),
      ].join('\n'),
      severity: 'ticket',
      forSeconds: forOf(ctx, 'medium'),
      summary: `Many events fail on ${dest} (${svc(ctx)})`,
      description: `{{ $value | humanizePercentage }} of the events on ${dest} in ${svc(ctx)} fail (alerting above ${num(ctx.th.errorRatio * 100)} %).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm, idle } = flows(ctx);
    const { th } = ctx;
    const busy = Math.max(10, th.trafficFloorPerSecond * 100);
    const high = th.errorRatio * 2 <= 0.9 ? th.errorRatio * 2 : (th.errorRatio + 1) / 2;
    const low = th.errorRatio / 2;
    const value = 0.001;
    const failing = 'ValidationError';
    const mix = (labels: Record<string, string>, total: number, ratio: number) => {
      if (total === 0) return;
      const ok = { perSecond: total, value };
      const none = { perSecond: 0, value };
      const good = { perSecond: total * (1 - ratio), value };
      const bad = { perSecond: total * ratio, value };
      return { ok, none, good, bad, labels };
    };
    return [
      {
        title: `${num(high * 100)} % of events fail: fires; ${num(low * 100)} %, or failing trickle: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          for (const [labels, total, ratio] of [
            [fires, busy, high],
            [calm, busy, low],
            [idle, th.trafficFloorPerSecond / 10, high],
          ] as const) {
            const m = mix(labels, total, ratio);
            if (!m) continue;
            s.histogram('processDuration', labels, m.ok, m.good);
            s.failures(labels, failing, m.none, m.bad);
          }
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byDestination), value: high }],
      },
    ];
  },
};

export const eventsDeadLettered: AlertDefinition = {
  name: 'EventscopeEventsDeadLettered',
  group: 'pipeline',
  meaning:
    'Events were given up on (rejected without requeue, terminated, or routed to a dead-letter destination).',
  details:
    'Dead-lettered events were not processed successfully and will not be retried automatically. Each is a piece of business work that did not happen until someone replays it.',
  causes: [
    'Handlers failing repeatedly for the same events (poison messages).',
    'Retry limits reached during an outage of a dependency.',
  ],
  actions: [
    'Inspect the dead-letter destination: which events, which error.',
    'Fix the cause, then replay the dead-lettered events.',
  ],
  checks: (ctx) => [
    {
      title: 'Dead-lettered events per destination',
      expr: sum(ctx.q.byDestination, ctx.q.increase('deadLetteredEvents', 'value', ctx.window)),
    },
    {
      title: 'Settled events by outcome',
      expr: ctx.q.sumRate(
        [...ctx.q.byDestination, label.settleOutcome],
        'settledEvents',
        'value',
        ctx.window,
      ),
    },
  ],
  rules: (ctx) => [
    {
      expr: increasedAtAll(ctx, 'deadLetteredEvents', ctx.q.byDestination),
      severity: 'ticket',
      forSeconds: forOf(ctx, 'short'),
      summary: `Events dead-lettered on ${dest} (${svc(ctx)})`,
      description: `${svc(ctx)} dead-lettered {{ $value | humanize }} events from ${dest} in the last ${ctx.window}.`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = flows(ctx);
    const perSecond = 0.5;
    return [
      counterRisesScenario(ctx, rule!, {
        title: `${perSecond} events/s dead-lettered: fires; none: silent`,
        signal: 'deadLetteredEvents',
        fires,
        calm,
        by: ctx.q.byDestination,
        perSecond,
      }),
    ];
  },
};

export const propagationErrors: AlertDefinition = {
  name: 'EventscopePropagationErrors',
  group: 'pipeline',
  meaning: 'A share of events above the configured ratio carry trace or timing headers that cannot be read.',
  details:
    'Events still get processed, but their traces break (no parent span) and their age cannot be measured, so freshness objectives and event-age alerts go blind for them.',
  causes: [
    'A producer that is not instrumented, or sets malformed traceparent or creation-time headers.',
    'A proxy or bridge that rewrites or drops headers.',
  ],
  actions: [
    'Group by the propagation error kind to see which header breaks; find the producer that sends it.',
  ],
  checks: (ctx) => [
    {
      title: 'Propagation errors by kind',
      expr: ctx.q.sumRate(
        [...ctx.q.byDestination, label.propagationError],
        'propagationErrors',
        'value',
        ctx.window,
      ),
    },
  ],
  rules: (ctx) => [
    {
      expr: [
        propagationErrorRatio(ctx.q, ctx.q.byDestination, ctx.window),
        `> ${num(ctx.th.propagationErrorRatio)}`,
      ].join('\n'),
      severity: 'ticket',
      forSeconds: forOf(ctx, 'long'),
      summary: `Unreadable trace or timing headers on ${dest}`,
      description: `{{ $value | humanizePercentage }} of the events on ${dest} in ${svc(ctx)} carry unreadable trace or timing headers (alerting above ${num(ctx.th.propagationErrorRatio * 100)} %).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = flows(ctx);
    const busy = 10;
    const high = Math.min(ctx.th.propagationErrorRatio * 2, 1);
    const low = ctx.th.propagationErrorRatio / 4;
    const kind = { [label.propagationError]: 'traceparent' };
    return [
      {
        title: `${num(high * 100)} % of events with bad headers: fires; ${num(low * 100)} %: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          s.counter('consumedMessages', fires, busy, busy);
          s.counter('consumedMessages', calm, busy, busy);
          s.counter('propagationErrors', { ...producerSide(fires), ...kind }, busy * low, busy * high);
          s.counter('propagationErrors', { ...producerSide(calm), ...kind }, busy * low, busy * low);
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byDestination), value: high }],
      },
    ];
  },
};

export const labelOverflow: AlertDefinition = {
  name: 'EventscopeLabelOverflow',
  group: 'pipeline',
  meaning: 'Events are recorded into the overflow destination because the destination budget is spent.',
  details:
    'eventscope keeps at most a configured number of destinations per process so a flood of names cannot grow memory without bound. Past it, events fold into one overflow series: their per-destination latency and age are no longer visible.',
  causes: [
    'Destination names that embed ids (orders.12345) instead of templates (orders.*).',
    'More destinations than the configured budget.',
  ],
  actions: [
    'Pass a destination function returning a template for dynamic names, or raise the budget if the set is really bounded.',
  ],
  checks: (ctx) => [
    {
      title: 'Overflowed events per second',
      expr: ctx.q.sumRate(
        [ctx.q.service, label.instance, label.system],
        'labelOverflow',
        'value',
        ctx.window,
      ),
    },
  ],
  rules: (ctx) => {
    const by = [ctx.q.service, label.instance, label.system];
    return [
      {
        expr: increasedAtAll(ctx, 'labelOverflow', by),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'medium'),
        summary: `${svc(ctx)} ${inst} ran out of destination labels`,
        description: `${svc(ctx)} ${inst} recorded {{ $value | humanize }} events into the overflow destination in the last ${ctx.window}.`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => {
    const targets = twoInstances(ctx);
    const perSecond = 2;
    return [
      counterRisesScenario(ctx, rule!, {
        title: `${perSecond} events/s overflow: fires; none: silent`,
        signal: 'labelOverflow',
        fires: { ...targets.fires, [label.system]: 'nats' },
        calm: { ...targets.calm, [label.system]: 'nats' },
        by: [ctx.q.service, label.instance, label.system],
        perSecond,
      }),
    ];
  },
};

export const instrumentationErrors: AlertDefinition = {
  name: 'EventscopeInstrumentationErrors',
  group: 'pipeline',
  meaning: 'eventscope itself reported faults (exporter, collector, observer); user code is unaffected.',
  details:
    'The instrumentation counts its own faults instead of throwing them into handlers. Metrics from the failing component may be missing or partial while this fires.',
  causes: [
    'An exporter cannot reach its endpoint (OTLP collector down).',
    'A runtime observer failed to start in this environment.',
  ],
  actions: ['Read the eventscope log lines of the instance (component is in the label).'],
  checks: (ctx) => [
    {
      title: 'Faults by component',
      expr: sum(
        [...ctx.q.byInstance, label.component],
        ctx.q.increase('instrumentationErrors', 'value', ctx.window),
      ),
    },
  ],
  rules: (ctx) => {
    const by = [...ctx.q.byInstance, label.component];
    return [
      {
        expr: increasedAtAll(ctx, 'instrumentationErrors', by),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'medium'),
        summary: `eventscope faults in ${svc(ctx)} ${inst}`,
        description: `The eventscope {{ $labels.${label.component} }} of ${svc(ctx)} ${inst} reported {{ $value | humanize }} faults in the last ${ctx.window}.`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => {
    const targets = twoInstances(ctx);
    const component = label.component;
    const perSecond = 0.5;
    return [
      counterRisesScenario(ctx, rule!, {
        title: `${perSecond} faults/s: fires; none: silent`,
        signal: 'instrumentationErrors',
        fires: { ...targets.fires, [component]: 'exporter' },
        calm: { ...targets.calm, [component]: 'exporter' },
        by: [...ctx.q.byInstance, component],
        perSecond,
      }),
    ];
  },
};

/**
 * How far back a target's eventscope series make it one of eventscope's targets. A down target
 * exposes nothing, so TargetDown recognises it by what it exposed before: a day covers an outage
 * through a night, and the lookback reads one process start time series per instance (5,760
 * samples at a 15 s scrape), cheap enough to evaluate every minute.
 */
export const TARGET_MEMORY = '1d';

/** The instances that exposed eventscope's process start time within TARGET_MEMORY: eventscope's targets, whoever else the Prometheus scrapes. */
export const eventscopeTargets = (ctx: AlertContext) =>
  `last_over_time(${ctx.q.range('processStartTime', 'value', TARGET_MEMORY)})`;

/**
 * A target of the same Prometheus that exposes no eventscope metric (a node exporter), selected by
 * every configured selector: only what it exposes tells it apart from eventscope's targets.
 */
const foreignTarget = (ctx: AlertContext) => targetLabels(ctx, 'node', '10.0.0.9:9100');

export const targetDown: AlertDefinition = {
  name: 'EventscopeTargetDown',
  group: 'pipeline',
  meaning:
    'Prometheus cannot scrape an instance that exposed eventscope metrics within the last day: it is down, or its metrics endpoint is unreachable.',
  details: [
    'With the target down nothing else about the instance is known; while this fires, Alertmanager holds back the other eventscope alerts of the same service so this one speaks for them.',
    `Only eventscope's own targets count: a target is one when it exposed eventscope's process start time (\`eventscope.process.start_time\`, one series per process) within the last day (\`[${TARGET_MEMORY}]\`), so other targets of a shared Prometheus (node exporters, databases, other teams' services) never raise this alert.`,
    'Why a day: a down target exposes nothing, so it is recognised by what it exposed before; a day covers an outage through a night, and the lookback reads one series per instance, cheap at every evaluation. A target down for longer than that is no longer recognised and the alert resolves although the target is still down: treat a resolution after a day of firing as expired, not recovered (EventscopeMetricsAbsent remains if the selection has no processing-time series left). A new target that was never scraped successfully, and an instance run with `runtime: false` (no start time), are not watched.',
  ].join('\n\n'),
  causes: [
    'The process crashed or was stopped.',
    'The metrics server is not listening (port, host binding), or the network path is blocked.',
  ],
  actions: [
    'Check the process is running; open its /metrics from the Prometheus host.',
    'Check the Prometheus targets page for the scrape error.',
  ],
  checks: (ctx) => [
    {
      title: 'Eventscope targets that cannot be scraped',
      expr: `${ctx.q.scrapeHealth()} == 0 and ${on(ctx.q.byInstance)} ${eventscopeTargets(ctx)}`,
    },
    {
      title: `Instances that exposed eventscope metrics within ${TARGET_MEMORY}`,
      expr: `group by (${ctx.q.byInstance.join(', ')}) (${eventscopeTargets(ctx)})`,
    },
  ],
  rules: (ctx) => [
    {
      expr: `${max(ctx.q.byInstance, ctx.q.scrapeHealth())} == 0 and ${on(ctx.q.byInstance)} ${eventscopeTargets(ctx)}`,
      severity: 'page',
      forSeconds: forOf(ctx, 'short'),
      summary: `${svc(ctx)} ${inst} is down`,
      description: `Prometheus cannot scrape ${svc(ctx)} ${inst} (up = {{ $value | humanize }}).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const other = foreignTarget(ctx);
    const onset = 2 * ctx.profile.rateSeconds;
    const steps = onset / ctx.profile.stepSeconds;
    const startTime = 1_700_000_000;
    return [
      {
        title:
          "an eventscope target's scrapes fail: fires; its sibling and a down node exporter beside it: silent",
        onsetSeconds: onset,
        settleSeconds: ctx.profile.stepSeconds,
        build: (s) => {
          s.scrapeHealth(fires, 1, 0);
          s.raw('processStartTime', fires, `${startTime}+0x${steps - 1} stale`);
          s.scrapeHealth(calm, 1, 1);
          s.gauge('processStartTime', calm, startTime);
          s.scrapeHealth(other, 1, 0);
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byInstance), value: 0 }],
      },
      {
        title:
          'a target without eventscope metrics (a node exporter) goes down in the same Prometheus: silent',
        onsetSeconds: onset,
        settleSeconds: ctx.profile.stepSeconds,
        build: (s) => {
          s.scrapeHealth(calm, 1, 1);
          s.gauge('processStartTime', calm, startTime);
          s.scrapeHealth(other, 1, 0);
        },
        expected: [],
        watches: [rule!],
      },
    ];
  },
};

/** What one absence rule watches: the whole selection, or one declared service of it. */
interface AbsenceScope {
  service?: string;
  /** Matchers besides the configured selectors. */
  extra: string[];
}

function absenceScopes(ctx: AlertContext): AbsenceScope[] {
  if (ctx.config.services.length === 0) return [{ extra: [] }];
  return ctx.config.services.map((service) => {
    const matcher = equals(ctx.q.service, service.name);
    // absent() only derives labels from a label matched once.
    return { service: service.name, extra: ctx.config.matchers.includes(matcher) ? [] : [matcher] };
  });
}

/** The labels absent() gives its result: those of its equality matchers. */
function absentLabels(ctx: AlertContext, scope: AbsenceScope): Record<string, string> {
  const out = equalityLabels(ctx);
  if (scope.service !== undefined) out[ctx.q.service] = scope.service;
  return out;
}

/**
 * The watched target goes down and its series stop (stale): fires; they keep coming while a target
 * of the same Prometheus without eventscope metrics (a node exporter) goes down: silent.
 */
function absenceScenarios(ctx: AlertContext, rule: RuleInstance, scope: AbsenceScope): Scenario[] {
  const absent = absentLabels(ctx, scope);
  const service = absent[ctx.q.service] ?? scenarioService(ctx);
  const target = { ...targetLabels(ctx, service, '10.0.0.1:9464'), ...absent };
  const labels = { ...target, [label.system]: 'nats', [label.destination]: 'orders.created' };
  const onset = 2 * ctx.profile.rateSeconds;
  const steps = onset / ctx.profile.stepSeconds;
  return [
    {
      title: `the target of ${service} goes down, its series disappear: fires`,
      onsetSeconds: onset,
      settleSeconds: ctx.profile.stepSeconds,
      build: (s) => {
        s.scrapeHealth(target, 1, 0);
        s.raw('processDuration', labels, `0+10x${steps - 1} stale`, 'count');
      },
      // absent() also carries the otel flavor's scope matcher as a label.
      expected: [{ rule, labels: { ...absent, ...ctx.q.ownLabels }, value: 1 }],
    },
    {
      title: `series of ${service} persist while a node exporter in the same Prometheus goes down: silent`,
      onsetSeconds: onset,
      settleSeconds: ctx.profile.stepSeconds,
      build: (s) => {
        s.scrapeHealth(target, 1, 1);
        s.counter('processDuration', labels, 10, 10, 'count');
        s.scrapeHealth(foreignTarget(ctx), 1, 0);
      },
      expected: [],
      watches: [rule],
    },
  ];
}

export const metricsAbsent: AlertDefinition = {
  name: 'EventscopeMetricsAbsent',
  group: 'pipeline',
  meaning:
    'No processing-time series exist for the selection (or a declared service): instrumentation or scraping is missing.',
  details: [
    'The alerts above can only fire on series that exist. When eventscope metrics are absent altogether, every other alert is silently blind: no handler is wrapped, the exporter is not registered, or Prometheus does not scrape the service.',
    "The rule watches the processing-time histogram within the configured selectors. Its name follows an OpenTelemetry semantic convention (`messaging.process.duration`), so in a Prometheus shared with services instrumented otherwise, their series of the same name keep this alert silent unless the selectors (or the declared services) leave them out. While it fires for a declared service, Alertmanager holds back that service's other eventscope tickets; it holds back no page.",
  ].join('\n\n'),
  causes: [
    'Handlers are not wrapped, or wrapped with a different store than the one exported.',
    'The prom-client registry or OpenTelemetry reader with eventscope is not the one served on /metrics.',
    'The scrape configuration lost the target (relabeling, service discovery).',
  ],
  actions: [
    'Open the service /metrics and look for the processing-time histogram.',
    'Check the Prometheus targets page and the relabeling.',
  ],
  checks: (ctx) => [
    {
      title: 'Processing-time series per service',
      expr: `count by (${ctx.q.service}) (${ctx.q.select('processDuration', 'count')})`,
    },
  ],
  rules: (ctx) =>
    absenceScopes(ctx).map((scope): RuleInstance => {
      const selector = ctx.q.select('processDuration', 'count', scope.extra);
      const matchers = selector.slice(ctx.q.name('processDuration', 'count').length);
      return {
        expr: `absent(${selector})`,
        severity: 'ticket',
        forSeconds: forOf(ctx, 'long'),
        summary: 'eventscope metrics are absent',
        description: `No ${ctx.q.name('processDuration', 'count')} series match ${matchers || 'any selector'} (absent = {{ $value | humanize }}): alerts on them cannot fire.`,
      };
    }),
  scenarios: (ctx, rules) => {
    const scopes = absenceScopes(ctx);
    return rules.flatMap((rule, i) => absenceScenarios(ctx, rule, scopes[i]!));
  },
};

export const pipelineAlerts: AlertDefinition[] = [
  consumerStalled,
  eventAgeGrowing,
  highErrorRatio,
  eventsDeadLettered,
  propagationErrors,
  labelOverflow,
  instrumentationErrors,
  targetDown,
  metricsAbsent,
];
