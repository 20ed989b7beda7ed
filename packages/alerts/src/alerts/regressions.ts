import { type Baseline, formatDuration } from '@eventscope/config';
import {
  gcTimeShare,
  handlerTimeInGc,
  heapUsed,
  label,
  num,
  on,
  percentile,
  throughput,
} from '@eventscope/config/promql';
import {
  type AlertContext,
  type AlertDefinition,
  forOf,
  pick,
  type RecordingRule,
  type RuleInstance,
  type Scenario,
  scenarioService,
  targetLabels,
} from '../alert.js';
import { observationAbove, quantileOfConstant, type SeriesBuilder } from '../synthetic.js';
import { dest, inst, svc } from './label-refs.js';

/**
 * Regressions against a baseline: the same service a week (or a day, or six hours) ago. Each has a
 * traffic floor, so a service that is idle now or was idle then never pages.
 */

/**
 * A baseline held while its alert fires: recorded at every evaluation as the value `offset` ago,
 * until the alert fires for a series; from then on the record keeps its own last value, the one
 * from before the incident. Compared with `offset` directly, an incident that outlasts the offset
 * becomes its own baseline and the alert resolves while the incident goes on (after about a
 * minute and a half with the test profile's one-minute baseline, after a day with production's
 * one-day GC baseline). When the value is back under the factor the alert resolves and the
 * baseline follows the offset again. Only firing holds it, not pending; and a baseline counts
 * only once its whole window has data (`covered`: a rate at the offset plus the window back has
 * a value): a window that starts before the data does gives short-lived, wrong ratios (a low GC
 * share, a low heap floor), which must neither fire nor be held.
 */
function heldBaseline(
  ctx: AlertContext,
  record: string,
  alert: { name: string; labels?: Record<string, string> },
  labels: readonly string[],
  live: string,
  covered: string,
): RecordingRule {
  const matchers = Object.entries({ alertname: alert.name, alertstate: 'firing', ...alert.labels }).map(
    ([name, value]) => `${name}=${JSON.stringify(value)}`,
  );
  // Its own last sample: three steps back, so an evaluation a little late still finds it.
  const own = `last_over_time(${record}[${formatDuration(3 * ctx.profile.stepSeconds)}])`;
  return {
    record,
    expr: [
      `(`,
      `  ${own}`,
      `and ${on(labels)}`,
      `  ALERTS{${matchers.join(', ')}}`,
      `)`,
      `or`,
      `(`,
      `  ${live}`,
      `and ${on(labels)}`,
      `  ${covered}`,
      `)`,
    ].join('\n'),
  };
}

/** The queries as they were `seconds` ago. */
const agoSeconds = (ctx: AlertContext, seconds: number) => ctx.q.ago(formatDuration(seconds));

/** Events processed per second `seconds` ago: present once the data reaches that far back. */
const servedAgo = (ctx: AlertContext, labels: readonly string[], seconds: number) =>
  throughput(agoSeconds(ctx, seconds), labels, ctx.window);

/** `on (labels) sum by (labels) (rate(processed[w] offset o)) > floor`: traffic now, or at a baseline. */
function trafficFloor(ctx: AlertContext, labels: readonly string[], baseline?: string): string {
  const q = baseline ? ctx.q.ago(baseline) : ctx.q;
  return `${on(labels)} ${throughput(q, labels, ctx.window)} > ${num(ctx.th.trafficFloorPerSecond)}`;
}

/**
 * The baselines the latency regression compares against, oldest first (the week before the
 * day, by default): one rule each.
 */
const latencyBaselines = (ctx: AlertContext): Baseline[] =>
  [...ctx.config.baselines].sort((a, b) => b.offsetSeconds - a.offsetSeconds);

/** p99 processing time per destination, now or at a baseline. */
const p99 = (ctx: AlertContext, baseline?: string) =>
  percentile(
    baseline ? ctx.q.ago(baseline) : ctx.q,
    0.99,
    'processDuration',
    ctx.q.byDestination,
    ctx.window,
  );

/** The recorded p99 a latency rule compares with: `baseline` ago, held while the rule's alert is active. */
const heldP99 = (ctx: AlertContext, b: Baseline) =>
  `${ctx.q.service}_destination:${ctx.q.name('processDuration')}:p99_rate${ctx.window}_offset${b.label}_held`;

/** The longest baseline whose "outlasting" case is generated: see `outlasting`. */
const OUTLASTING_MAX_OFFSET_SECONDS = 24 * 60 * 60;

/**
 * The case as it is once the incident has lasted `beyondSeconds` past its baseline offset: every
 * baseline then lies inside the incident, and the alert must still be firing with the value it
 * fired with (against the baseline held from before the incident). None past a day's baseline:
 * promtool evaluates every step, and two weeks of one-minute steps cost minutes per run; the held
 * baseline is the same rule shape for every alert, proven by the production profile's day-long GC
 * and six-hour heap baselines and by every alert in the test profile.
 */
function outlasting(scenario: Scenario, offsetSeconds: number, windowSeconds: number): Scenario[] {
  if (offsetSeconds > OUTLASTING_MAX_OFFSET_SECONDS) return [];
  const lasted = offsetSeconds + 2 * windowSeconds;
  return [
    {
      ...scenario,
      title: `${scenario.title}; still firing ${formatDuration(lasted)} in, the incident outlasting its ${formatDuration(offsetSeconds)} baseline`,
      settleSeconds: lasted,
    },
  ];
}

/** `(now / then) > factor`, one operand a line, the way the rule files show it. */
const grewMoreThan = (now: string, then: string, factor: number) => [
  `(`,
  `  ${now}`,
  `/`,
  `  ${then}`,
  `) > ${num(factor)}`,
];

const destinationOf = (ctx: AlertContext, destination: string, service?: string) => ({
  ...targetLabels(ctx, service ?? scenarioService(ctx), '10.0.0.1:9464'),
  [label.system]: 'nats',
  [label.destination]: destination,
  [label.consumerGroup]: 'billing',
});

export const latencyRegression: AlertDefinition = {
  name: 'EventscopeLatencyRegression',
  group: 'regressions',
  meaning:
    'p99 processing time of a destination grew past a factor of its value a week (and a day) ago, with traffic now and then.',
  details:
    'Handlers take markedly longer than they did at the same time last week (or yesterday). This is the classic signature of memory pressure: more garbage collection, longer pauses, and every event that overlaps a pause is slower.',
  causes: [
    'GC pauses: a handler allocates more, or retains memory (caches, queues, closures), so the heap grows and major GCs lengthen.',
    'A blocked event loop: synchronous work (JSON of large payloads, crypto, regexes) delays every event behind it.',
    'A slower dependency the handler awaits (database, HTTP API, broker).',
    'A deploy that changed the handler.',
  ],
  actions: [
    'Compare the share of handler time overlapped by GC and the slow events by cause below: `gc` dominating means memory, `event_loop` means blocking work, `handler` means the handler itself or its dependencies.',
    'If GC: look at heap used and its floor; take a heap snapshot, find what is retained, release it (bounded caches, streaming instead of buffering).',
    'If a deploy lines up with the onset, roll it back.',
  ],
  checks: (ctx) => [
    { title: 'p99 processing time now, per destination', expr: p99(ctx) },
    ...latencyBaselines(ctx).map((b) => ({
      title: `p99 processing time ${b.label} ago`,
      expr: p99(ctx, b.label),
    })),
    {
      title: 'Share of handler time overlapped by GC pauses',
      expr: handlerTimeInGc(ctx.q, ctx.q.byDestination, ctx.window),
    },
    {
      title: 'Slow events by cause (gc, event_loop, handler)',
      expr: ctx.q.sumRate([...ctx.q.byDestination, label.slowCause], 'slowEvents', 'value', ctx.window),
    },
  ],
  records: (ctx) =>
    latencyBaselines(ctx).map((b) =>
      heldBaseline(
        ctx,
        heldP99(ctx, b),
        { name: 'EventscopeLatencyRegression', labels: { baseline: b.label } },
        ctx.q.byDestination,
        p99(ctx, b.label),
        servedAgo(ctx, ctx.q.byDestination, b.offsetSeconds + ctx.profile.rateSeconds),
      ),
    ),
  rules: (ctx) => {
    const { q, th } = ctx;
    return latencyBaselines(ctx).map(
      (b): RuleInstance => ({
        expr: [
          ...grewMoreThan(p99(ctx), heldP99(ctx, b), th.latencyRegressionFactor),
          `and ${trafficFloor(ctx, q.byDestination)}`,
          `and ${trafficFloor(ctx, q.byDestination, b.label)}`,
        ].join('\n'),
        severity: 'page',
        forSeconds: forOf(ctx, 'medium'),
        labels: { baseline: b.label },
        summary: `p99 processing time of ${dest} (${svc(ctx)}) regressed against ${b.label} ago`,
        description: `p99 processing time of ${dest} in ${svc(ctx)} is {{ $value | humanize }} times its value ${b.label} ago (alerting above ${num(th.latencyRegressionFactor)} times, with over ${num(th.trafficFloorPerSecond)} events/s now and then).`,
      }),
    );
  },
  scenarios: (ctx, rules) => {
    const { th, profile } = ctx;
    // One scenario covers every baseline: healthy for longer than the oldest offset, then slow.
    const oldest = Math.max(...ctx.config.baselines.map((b) => b.offsetSeconds));
    const calm = 0.02;
    const baselineP99 = quantileOfConstant('processDuration', 0.99, calm);
    const slow = observationAbove('processDuration', 0.99, baselineP99 * th.latencyRegressionFactor * 1.2);
    const fires = destinationOf(ctx, 'orders.created');
    const steady = destinationOf(ctx, 'payments.settled');
    const idle = destinationOf(ctx, 'audit.logged');
    const busy = Math.max(2, th.trafficFloorPerSecond * 20);
    const incident: Scenario = {
      title: `p99 grows from ${calm} s to ${slow} s: fires against every baseline; steady latency or idle traffic (${num(th.trafficFloorPerSecond / 10)}/s): silent`,
      onsetSeconds: oldest + profile.rateSeconds,
      settleSeconds: profile.rateSeconds,
      build: (s) => {
        s.histogram(
          'processDuration',
          fires,
          { perSecond: busy, value: calm },
          { perSecond: busy, value: slow },
        );
        s.histogram(
          'processDuration',
          steady,
          { perSecond: busy, value: calm },
          { perSecond: busy, value: calm },
        );
        if (th.trafficFloorPerSecond > 0) {
          const trickle = th.trafficFloorPerSecond / 10;
          s.histogram(
            'processDuration',
            idle,
            { perSecond: trickle, value: calm },
            { perSecond: trickle, value: slow },
          );
        }
      },
      expected: rules.map((rule) => ({
        rule,
        labels: pick(fires, ctx.q.byDestination),
        value: quantileOfConstant('processDuration', 0.99, slow) / baselineP99,
      })),
    };
    return [incident, ...outlasting(incident, oldest, profile.rateSeconds)];
  },
};

/** Events consumed per second per destination, now or `agoSeconds` ago. */
const consumedRate = (ctx: AlertContext, agoSecs?: number) =>
  (agoSecs ? agoSeconds(ctx, agoSecs) : ctx.q).sumRate(
    ctx.q.byDestination,
    'consumedMessages',
    'value',
    ctx.window,
  );

/** The recorded consumption a throughput rule compares with: held while its alert is active. */
const heldConsumedRate = (ctx: AlertContext) =>
  `${ctx.q.service}_destination:${ctx.q.name('consumedMessages')}:rate${ctx.window}_offset${formatDuration(ctx.profile.throughputBaselineSeconds)}_held`;

export const throughputDrop: AlertDefinition = {
  name: 'EventscopeThroughputDrop',
  group: 'regressions',
  meaning: 'Events consumed per second fell below a share of the same time a week ago.',
  details:
    'A destination consumes far fewer events than it did at the same time last week. Either producers send less (upstream problem, or a normal quiet period the baseline does not know about) or consumers cannot keep up or have stopped.',
  causes: [
    'Producers upstream send less (outage, deploy, traffic shift).',
    'Consumers are stuck or crashed; fewer replicas run.',
    'Handlers became slower so each consumer processes fewer events (see latency and GC).',
  ],
  actions: [
    'Compare sent and consumed rates for the destination: if both dropped, look upstream; if only consumed dropped, look at the consumers (stalls, restarts, GC).',
    'Check event age: a growing age means a backlog is building.',
  ],
  checks: (ctx) => [
    { title: 'Consumed events per second, now', expr: consumedRate(ctx) },
    {
      title: 'Consumed events per second at the baseline',
      expr: consumedRate(ctx, ctx.profile.throughputBaselineSeconds),
    },
    {
      title: 'Sent events per second',
      expr: ctx.q.sumRate([label.system, label.destination], 'sentMessages', 'value', ctx.window),
    },
  ],
  records: (ctx) => [
    heldBaseline(
      ctx,
      heldConsumedRate(ctx),
      { name: 'EventscopeThroughputDrop' },
      ctx.q.byDestination,
      consumedRate(ctx, ctx.profile.throughputBaselineSeconds),
      consumedRate(ctx, ctx.profile.throughputBaselineSeconds + ctx.profile.rateSeconds),
    ),
  ],
  rules: (ctx) => {
    const { q, th, profile } = ctx;
    const o = profile.throughputBaselineSeconds;
    return [
      {
        expr: [
          `(`,
          `  ${consumedRate(ctx)}`,
          `/`,
          `  ${heldConsumedRate(ctx)}`,
          `) < ${num(th.throughputDropRatio)}`,
          `and ${on(q.byDestination)} ${heldConsumedRate(ctx)} > ${num(th.trafficFloorPerSecond)}`,
        ].join('\n'),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'medium'),
        summary: `${dest} (${svc(ctx)}) consumes far fewer events than ${formatDuration(o)} ago`,
        description: `${svc(ctx)} consumes {{ $value | humanizePercentage }} of the events per second it consumed on ${dest} ${formatDuration(o)} ago (alerting below ${num(th.throughputDropRatio * 100)} %).`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => {
    const { th, profile } = ctx;
    const busy = Math.max(10, th.trafficFloorPerSecond * 100);
    const dropped = busy * (th.throughputDropRatio / 4);
    const fires = destinationOf(ctx, 'orders.created');
    const steady = destinationOf(ctx, 'payments.settled');
    const idle = destinationOf(ctx, 'audit.logged');
    const incident: Scenario = {
      title: `consumption drops from ${busy}/s to ${num(dropped)}/s: fires; steady or idle: silent`,
      onsetSeconds: profile.throughputBaselineSeconds + profile.rateSeconds,
      settleSeconds: profile.rateSeconds,
      build: (s) => {
        s.counter('consumedMessages', fires, busy, dropped);
        s.counter('consumedMessages', steady, busy, busy);
        if (th.trafficFloorPerSecond > 0)
          s.counter('consumedMessages', idle, th.trafficFloorPerSecond / 10, 0);
      },
      expected: [{ rule: rule!, labels: pick(fires, ctx.q.byDestination), value: dropped / busy }],
    };
    return [incident, ...outlasting(incident, profile.throughputBaselineSeconds, profile.rateSeconds)];
  },
};

/**
 * The heap floor: the lowest heap used per instance over the floor window (what survives GC),
 * now or `agoSecs` ago.
 */
function heapFloor(ctx: AlertContext, agoSecs?: number): string {
  const { profile } = ctx;
  const range = `${formatDuration(profile.heapFloorWindowSeconds)}:${formatDuration(profile.stepSeconds)}`;
  const offset = agoSecs ? ` offset ${formatDuration(agoSecs)}` : '';
  return `min_over_time(${heapUsed(ctx.q, ctx.q.byInstance)}[${range}]${offset})`;
}

/** The recorded heap floor the heap rule compares with: held while its alert is active. */
const heldHeapFloor = (ctx: AlertContext) =>
  `${ctx.q.service}_instance:${ctx.q.name('heapUsed')}:floor${formatDuration(ctx.profile.heapFloorWindowSeconds)}_offset${formatDuration(ctx.profile.heapBaselineSeconds)}_held`;

export const heapFloorGrowth: AlertDefinition = {
  name: 'EventscopeHeapFloorGrowth',
  group: 'regressions',
  meaning:
    'The heap floor (lowest heap used over a window, i.e. what survives GC) grew past a factor of its value 6 hours ago.',
  details:
    'The heap floor is what remains after garbage collection: live, retained memory. When it keeps climbing under steady traffic, something retains memory it should release (a leak), and GC pauses will lengthen until latency suffers or the process runs out of heap.',
  causes: [
    'Unbounded caches or maps keyed by event data.',
    'Listeners, timers or closures added per event and never removed.',
    'Buffers of in-flight work growing because consumers are slower than producers.',
  ],
  actions: [
    'Take two heap snapshots some minutes apart and compare retained sizes by constructor.',
    'Bound caches (LRU), remove listeners, stream instead of buffering.',
    'Restarting releases the memory but not the cause; expect the alert to return.',
  ],
  checks: (ctx) => [
    { title: 'Heap used per instance', expr: heapUsed(ctx.q, ctx.q.byInstance) },
    { title: 'Heap floor now', expr: heapFloor(ctx) },
    { title: 'Heap limit', expr: ctx.q.instant('heapSizeLimit') },
  ],
  records: (ctx) => [
    heldBaseline(
      ctx,
      heldHeapFloor(ctx),
      { name: 'EventscopeHeapFloorGrowth' },
      ctx.q.byInstance,
      heapFloor(ctx, ctx.profile.heapBaselineSeconds),
      servedAgo(ctx, ctx.q.byInstance, ctx.profile.heapBaselineSeconds + ctx.profile.heapFloorWindowSeconds),
    ),
  ],
  rules: (ctx) => {
    const { q, th, profile } = ctx;
    return [
      {
        expr: [
          ...grewMoreThan(heapFloor(ctx), heldHeapFloor(ctx), th.heapFloorGrowthFactor),
          `and ${trafficFloor(ctx, [q.service])}`,
        ].join('\n'),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'long'),
        summary: `Heap floor of ${svc(ctx)} ${inst} keeps growing`,
        description: `The heap floor of ${svc(ctx)} ${inst} is {{ $value | humanize }} times its value ${formatDuration(profile.heapBaselineSeconds)} ago (alerting above ${num(th.heapFloorGrowthFactor)} times): memory is being retained.`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => {
    const { th, profile, q } = ctx;
    const svcName = scenarioService(ctx);
    const grows = targetLabels(ctx, svcName, '10.0.0.1:9464');
    const steady = targetLabels(ctx, svcName, '10.0.0.2:9464');
    const idleService = 'reports';
    const idle = targetLabels(ctx, idleService, '10.0.0.3:9464');
    const growth = th.heapFloorGrowthFactor * 2;
    const mb = 1024 * 1024;
    const busy = Math.max(2, th.trafficFloorPerSecond * 20);
    const incident: Scenario = {
      title: `heap floor grows ${num(growth)}×: fires; steady heap, or growth without traffic: silent`,
      onsetSeconds: profile.heapBaselineSeconds + profile.heapFloorWindowSeconds,
      settleSeconds: profile.heapFloorWindowSeconds,
      build: (s) => {
        for (const [space, size] of [
          ['old_space', 80 * mb],
          ['new_space', 20 * mb],
        ] as const) {
          s.gauge('heapUsed', { ...grows, [label.heapSpace]: space }, size, size * growth);
          s.gauge('heapUsed', { ...steady, [label.heapSpace]: space }, size, size);
          if (idle[q.service] !== grows[q.service]) {
            s.gauge('heapUsed', { ...idle, [label.heapSpace]: space }, size, size * growth);
          }
        }
        instanceTraffic(ctx, s, { grows, steady, idle }, busy);
      },
      expected: [{ rule: rule!, labels: pick(grows, q.byInstance), value: growth }],
    };
    return [incident, ...outlasting(incident, profile.heapBaselineSeconds, profile.heapFloorWindowSeconds)];
  },
};

/**
 * Events flowing on the growing and the steady instance at `busy`/s, and on the idle service's
 * instance under the traffic floor, so the per-instance runtime alerts have traffic to gate on.
 */
function instanceTraffic(
  ctx: AlertContext,
  s: SeriesBuilder,
  targets: Record<'grows' | 'steady' | 'idle', Record<string, string>>,
  busy: number,
): void {
  const { grows, steady, idle } = targets;
  const flow = { [label.system]: 'nats', [label.destination]: 'orders.created' };
  s.counter('processDuration', { ...grows, ...flow }, busy, busy, 'count');
  s.counter('processDuration', { ...steady, ...flow }, busy, busy, 'count');
  const floor = ctx.th.trafficFloorPerSecond;
  if (floor > 0 && idle[ctx.q.service] !== grows[ctx.q.service]) {
    s.counter('processDuration', { ...idle, ...flow }, floor / 10, 0, 'count');
  }
}

/** Share of wall time in GC per instance, now or `agoSecs` ago. */
const gcShare = (ctx: AlertContext, agoSecs?: number) =>
  gcTimeShare(agoSecs ? agoSeconds(ctx, agoSecs) : ctx.q, ctx.q.byInstance, ctx.window);

/** The recorded GC share the GC rule compares with: held while its alert is active. */
const heldGcShare = (ctx: AlertContext) =>
  `${ctx.q.service}_instance:${ctx.q.name('gcDuration', 'sum')}:rate${ctx.window}_offset${formatDuration(ctx.profile.gcBaselineSeconds)}_held`;

export const gcShareGrowth: AlertDefinition = {
  name: 'EventscopeGcTimeShareGrowth',
  group: 'regressions',
  meaning:
    'The share of wall time spent in GC pauses grew past a factor of its value a day ago (and above a floor), with traffic.',
  details:
    'The process spends markedly more of its time collecting garbage than it did yesterday. Every pause stops every handler, so this is usually the first step of the latency regression our users lived through: memory pressure, longer GC pauses, latency spikes.',
  causes: [
    'A handler allocates more per event (larger payloads, copies, JSON round-trips).',
    'Retained memory makes each major GC scan a bigger heap.',
    'More traffic per instance than before (fewer replicas).',
  ],
  actions: [
    'Look at GC pauses by type: more major (mark-compact) time means a bigger live heap; more minor (scavenge) time means more allocation.',
    'Compare the heap floor now and earlier; if it grows, treat as a leak (EventscopeHeapFloorGrowth).',
    'Raising --max-old-space-size buys time but lengthens major pauses; fix the allocation instead.',
  ],
  checks: (ctx) => [
    { title: 'GC time share now', expr: gcShare(ctx) },
    { title: 'GC time share at the baseline', expr: gcShare(ctx, ctx.profile.gcBaselineSeconds) },
    {
      title: 'GC time by type',
      expr: gcTimeShare(ctx.q, [...ctx.q.byInstance, label.gcType], ctx.window),
    },
  ],
  records: (ctx) => [
    heldBaseline(
      ctx,
      heldGcShare(ctx),
      { name: 'EventscopeGcTimeShareGrowth' },
      ctx.q.byInstance,
      gcShare(ctx, ctx.profile.gcBaselineSeconds),
      servedAgo(ctx, ctx.q.byInstance, ctx.profile.gcBaselineSeconds + ctx.profile.rateSeconds),
    ),
  ],
  rules: (ctx) => {
    const { q, th, profile } = ctx;
    const share = (agoSecs?: number) => gcShare(ctx, agoSecs);
    return [
      {
        expr: [
          ...grewMoreThan(share(), heldGcShare(ctx), th.gcShareGrowthFactor),
          `and ${share()} > ${num(th.gcShareFloorRatio)}`,
          `and ${trafficFloor(ctx, [q.service])}`,
        ].join('\n'),
        severity: 'ticket',
        forSeconds: forOf(ctx, 'medium'),
        summary: `GC time share of ${svc(ctx)} ${inst} grew against ${formatDuration(profile.gcBaselineSeconds)} ago`,
        description: `${svc(ctx)} ${inst} spends {{ $value | humanize }} times the share of its time in GC pauses it spent ${formatDuration(profile.gcBaselineSeconds)} ago (alerting above ${num(th.gcShareGrowthFactor)} times once the share exceeds ${num(th.gcShareFloorRatio * 100)} %).`,
      },
    ];
  },
  scenarios: (ctx, [rule]) => {
    const { th, profile, q } = ctx;
    const svcName = scenarioService(ctx);
    const grows = targetLabels(ctx, svcName, '10.0.0.1:9464');
    const steady = targetLabels(ctx, svcName, '10.0.0.2:9464');
    const idle = targetLabels(ctx, 'reports', '10.0.0.3:9464');
    const pause = 0.002;
    const before = th.gcShareFloorRatio;
    const growth = th.gcShareGrowthFactor * 2;
    const busy = Math.max(2, th.trafficFloorPerSecond * 20);
    const gcs = (share: number) => ({ perSecond: share / pause, value: pause });
    const incident: Scenario = {
      title: `GC share grows from ${num(before * 100)} % by ${num(growth)}×: fires; steady, or growth without traffic: silent`,
      onsetSeconds: profile.gcBaselineSeconds + profile.rateSeconds,
      settleSeconds: profile.rateSeconds,
      build: (s) => {
        const minor = { [label.gcType]: 'minor' };
        s.histogram('gcDuration', { ...grows, ...minor }, gcs(before), gcs(before * growth));
        s.histogram('gcDuration', { ...steady, ...minor }, gcs(before), gcs(before));
        if (idle[q.service] !== grows[q.service]) {
          s.histogram('gcDuration', { ...idle, ...minor }, gcs(before), gcs(before * growth));
        }
        instanceTraffic(ctx, s, { grows, steady, idle }, busy);
      },
      expected: [{ rule: rule!, labels: pick(grows, q.byInstance), value: growth }],
    };
    return [incident, ...outlasting(incident, profile.gcBaselineSeconds, profile.rateSeconds)];
  },
};

export const regressionAlerts: AlertDefinition[] = [
  latencyRegression,
  throughputDrop,
  heapFloorGrowth,
  gcShareGrowth,
];
