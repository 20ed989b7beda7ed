import { formatDuration } from '@eventscope/config';
import {
  gcTimeShare,
  heapUsed,
  heapUsedOfLimit,
  label,
  loopDelay,
  loopUtilization,
  max,
  num,
  on,
  sum,
} from '@eventscope/config/promql';
import { type AlertContext, type AlertDefinition, forOf, pick } from '../alert.js';
import { observationAbove, quantileOfConstant } from '../synthetic.js';
import { inst, svc } from './label-refs.js';
import { twoInstances } from './shapes.js';

/** The runtime under the handlers: GC, heap, event loop, restarts. One instance at a time. */

const { heapSpace, gcType } = label;

const gcChecks = ({ q, window }: AlertContext) => [
  { title: 'GC time share per instance', expr: gcTimeShare(q, q.byInstance, window) },
  {
    title: 'GC pauses per second by type',
    expr: q.sumRate([...q.byInstance, gcType], 'gcDuration', 'count', window),
  },
  { title: 'Heap used against the limit', expr: heapUsedOfLimit(q, q.byInstance) },
  {
    title: 'Slow events whose time was mostly GC',
    expr: q.sumRate([q.service, label.destination], 'slowEvents', 'value', window, [
      `${label.slowCause}="gc"`,
    ]),
  },
];

const gcCauses = [
  'Memory pressure: the live heap is close to its limit, so V8 collects often and major GCs scan a big heap.',
  'A handler allocates a lot per event (large payloads parsed and copied, buffers, intermediate arrays).',
  'Retained memory (caches, queues, closures) that grows with traffic.',
];

export const gcTimeShareHigh: AlertDefinition = {
  name: 'EventscopeGcTimeShareHigh',
  group: 'runtime',
  meaning: 'The process spends more than the configured share of wall time in GC pauses.',
  details:
    'Garbage-collection pauses stop the event loop. When they take a large share of wall time, every handler waits for them: throughput falls and latency rises, even though the handlers did not change.',
  causes: gcCauses,
  actions: [
    'Find which handler allocates: compare slow events by cause per destination, and the GC overlap share per destination.',
    'Reduce allocation per event; bound what is retained; give the process more heap only as a stopgap.',
  ],
  checks: gcChecks,
  rules: (ctx) => [
    {
      expr: `${gcTimeShare(ctx.q, ctx.q.byInstance, ctx.window)} > ${num(ctx.th.gcTimeShareRatio)}`,
      severity: 'ticket',
      forSeconds: forOf(ctx, 'medium'),
      summary: `${svc(ctx)} ${inst} spends a large share of its time in GC`,
      description: `${svc(ctx)} ${inst} spends {{ $value | humanizePercentage }} of its wall time in GC pauses (alerting above ${num(ctx.th.gcTimeShareRatio * 100)} %).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const pause = 0.002;
    const low = ctx.th.gcTimeShareRatio / 4;
    const high = Math.min(ctx.th.gcTimeShareRatio * 1.5, (ctx.th.gcTimeShareRatio + 1) / 2);
    const gcs = (share: number) => ({ perSecond: share / pause, value: pause });
    return [
      {
        title: `GC share rises from ${num(low * 100)} % to ${num(high * 100)} %: fires; stays low: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          s.histogram('gcDuration', { ...fires, [gcType]: 'major' }, gcs(low), gcs(high));
          s.histogram('gcDuration', { ...calm, [gcType]: 'major' }, gcs(low), gcs(low));
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byInstance), value: high }],
      },
    ];
  },
};

export const majorGcPauseHigh: AlertDefinition = {
  name: 'EventscopeMajorGcPauseHigh',
  group: 'runtime',
  meaning: 'p99 of major (mark-compact) GC pauses exceeds the configured duration.',
  details:
    'Major GCs stop the process while V8 marks and compacts the old generation. Their length grows with the live heap; every event in flight during one waits for it.',
  causes: gcCauses,
  actions: [
    'Look at the heap floor: a large or growing live heap makes long major pauses.',
    'Reduce retained memory; avoid very large heaps (--max-old-space-size) on latency-sensitive consumers.',
  ],
  checks: gcChecks,
  rules: (ctx) => [
    {
      expr: `${ctx.q.quantile(0.99, 'gcDuration', ctx.q.byInstance, ctx.window, [`${gcType}="major"`])} > ${num(ctx.th.majorGcPauseSeconds)}`,
      severity: 'ticket',
      forSeconds: forOf(ctx, 'medium'),
      summary: `Long major GC pauses in ${svc(ctx)} ${inst}`,
      description: `p99 of major GC pauses in ${svc(ctx)} ${inst} is {{ $value | humanizeDuration }} (alerting above ${num(ctx.th.majorGcPauseSeconds)} s).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const short = 0.0001;
    const long = observationAbove('gcDuration', 0.99, ctx.th.majorGcPauseSeconds);
    return [
      {
        title: `major pauses grow to ${long} s: fires; long minor pauses with short major ones: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          s.histogram(
            'gcDuration',
            { ...fires, [gcType]: 'major' },
            { perSecond: 0.2, value: short },
            { perSecond: 0.2, value: long },
          );
          s.histogram(
            'gcDuration',
            { ...calm, [gcType]: 'major' },
            { perSecond: 0.2, value: short },
            { perSecond: 0.2, value: short },
          );
          s.histogram(
            'gcDuration',
            { ...calm, [gcType]: 'minor' },
            { perSecond: 2, value: short },
            { perSecond: 2, value: long },
          );
        },
        expected: [
          {
            rule: rule!,
            labels: pick(fires, ctx.q.byInstance),
            value: quantileOfConstant('gcDuration', 0.99, long),
          },
        ],
      },
    ];
  },
};

const GB = 1024 ** 3;

export const heapNearLimit: AlertDefinition = {
  name: 'EventscopeHeapNearLimit',
  group: 'runtime',
  meaning: "Heap used is above the configured share of V8's heap size limit.",
  details:
    'Close to its heap limit, V8 collects almost continuously (long, frequent major GCs) and then aborts the process with "JavaScript heap out of memory". Latency degrades well before the crash.',
  causes: [
    'A memory leak (see the heap floor).',
    'A burst of large events held in memory at once.',
    'A heap limit too small for the workload.',
  ],
  actions: [
    'Check whether the heap floor grows (leak) or the heap only spikes (burst).',
    'Limit concurrency (prefetch, in-flight events) so fewer large events are held at once.',
    'Raise --max-old-space-size only if the working set legitimately needs it.',
  ],
  checks: gcChecks,
  rules: (ctx) => [
    {
      expr: `(\n${heapUsedOfLimit(ctx.q, ctx.q.byInstance)}\n) > ${num(ctx.th.heapLimitRatio)}`,
      severity: 'page',
      forSeconds: forOf(ctx, 'short'),
      summary: `Heap of ${svc(ctx)} ${inst} is near its limit`,
      description: `${svc(ctx)} ${inst} uses {{ $value | humanizePercentage }} of its heap size limit (alerting above ${num(ctx.th.heapLimitRatio * 100)} %).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const low = ctx.th.heapLimitRatio / 2;
    const high = (ctx.th.heapLimitRatio + 1) / 2;
    return [
      {
        title: `heap rises to ${num(high * 100)} % of the limit: fires; stays at ${num(low * 100)} %: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.stepSeconds,
        build: (s) => {
          for (const labels of [fires, calm]) s.gauge('heapSizeLimit', labels, 4 * GB);
          s.gauge('heapUsed', { ...fires, [heapSpace]: 'old_space' }, 4 * GB * low, 4 * GB * high);
          s.gauge('heapUsed', { ...calm, [heapSpace]: 'old_space' }, 4 * GB * low, 4 * GB * low);
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byInstance), value: high }],
      },
    ];
  },
};

/** Heap used per instance extrapolated (`predict_linear`) over the prediction horizon. */
function predictedHeap({ q, profile, th }: AlertContext): string {
  const range = `${formatDuration(profile.predictionLookbackSeconds)}:${formatDuration(profile.stepSeconds)}`;
  return `predict_linear(${heapUsed(q, q.byInstance)}[${range}], ${th.memoryPredictionSeconds})`;
}

export const memoryPredictedExhaustion: AlertDefinition = {
  name: 'EventscopeHeapPredictedExhaustion',
  group: 'runtime',
  meaning:
    'At the current trend (predict_linear), heap used reaches the heap size limit within the prediction horizon.',
  details:
    'The heap has grown steadily over the lookback window; extrapolated, it reaches the limit before the horizon. This warns hours before an out-of-memory crash, while there is time to find the leak.',
  causes: ['A memory leak growing with traffic or time.', 'A backlog held in memory that keeps growing.'],
  actions: [
    'Confirm with the heap floor: a rising floor is a leak, a rising peak with a flat floor is load.',
    'Take heap snapshots; schedule a restart as a stopgap before the predicted time.',
  ],
  checks: (ctx) => [...gcChecks(ctx), { title: 'Predicted heap at the horizon', expr: predictedHeap(ctx) }],
  rules: (ctx) => [
    {
      expr: [
        `(`,
        `  ${predictedHeap(ctx)}`,
        `/ ${on(ctx.q.byInstance)}`,
        `  ${max(ctx.q.byInstance, ctx.q.instant('heapSizeLimit'))}`,
        `) > 1`,
      ].join('\n'),
      severity: 'ticket',
      forSeconds: forOf(ctx, 'long'),
      summary: `Heap of ${svc(ctx)} ${inst} is predicted to reach its limit`,
      description: `At its current trend the heap of ${svc(ctx)} ${inst} reaches {{ $value | humanizePercentage }} of its limit within ${formatDuration(ctx.th.memoryPredictionSeconds)}.`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const { profile, th } = ctx;
    const start = 0.25 * GB;
    const limit = 2 * GB;
    const slope = (2 * limit) / th.memoryPredictionSeconds;
    const forSeconds = rule!.forSeconds;
    const grown = profile.predictionLookbackSeconds + forSeconds;
    return [
      {
        title: `heap grows ${num(slope)} B/s: fires; flat heap: silent`,
        onsetSeconds: profile.predictionLookbackSeconds,
        settleSeconds: profile.predictionLookbackSeconds,
        build: (s) => {
          for (const labels of [fires, calm]) s.gauge('heapSizeLimit', labels, limit);
          s.gauge('heapUsed', { ...fires, [heapSpace]: 'old_space' }, start, { start, perSecond: slope });
          s.gauge('heapUsed', { ...calm, [heapSpace]: 'old_space' }, start, start);
        },
        expected: [
          {
            rule: rule!,
            labels: pick(fires, ctx.q.byInstance),
            value: (start + slope * grown + slope * th.memoryPredictionSeconds) / limit,
          },
        ],
      },
    ];
  },
};

/** What an on-call reads first about a loop: its p99 delay and its utilization, per instance. */
const loopChecks = ({ q, window }: AlertContext) => [
  { title: 'Event-loop delay p99', expr: loopDelay(q, 0.99, q.byInstance, window) },
  { title: 'Event-loop utilization', expr: loopUtilization(q, q.byInstance, window) },
];

const loopCauses = [
  'Synchronous work on the event loop: JSON of large payloads, compression, crypto, regexes, sorting big arrays.',
  'Long GC pauses (they delay the loop too): check the GC alerts.',
  'Too much work per instance: the loop is saturated.',
];

export const eventLoopDelayHigh: AlertDefinition = {
  name: 'EventscopeEventLoopDelayHigh',
  group: 'runtime',
  meaning: 'Event-loop delay p99 stays above the configured duration.',
  details:
    'Every callback, timer and I/O completion waits for the loop. A high loop delay adds directly to the latency of every event, including ones whose handlers are fast.',
  causes: loopCauses,
  actions: [
    'Look at slow events with cause event_loop: their log lines carry the destination and trace id.',
    'Move heavy synchronous work to worker threads or break it up; add instances if the loop is saturated.',
  ],
  checks: (ctx) => [...loopChecks(ctx), ...gcChecks(ctx).slice(0, 1)],
  rules: (ctx) => [
    {
      expr: `${loopDelay(ctx.q, 0.99, ctx.q.byInstance, ctx.window)} > ${num(ctx.th.eventLoopDelaySeconds)}`,
      severity: 'ticket',
      forSeconds: forOf(ctx, 'medium'),
      summary: `Event loop of ${svc(ctx)} ${inst} is delayed`,
      description: `Event-loop delay p99 of ${svc(ctx)} ${inst} is {{ $value | humanizeDuration }} (alerting above ${num(ctx.th.eventLoopDelaySeconds)} s).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const short = 0.0005;
    const long = observationAbove('loopDelay', 0.99, ctx.th.eventLoopDelaySeconds);
    const ticks = (value: number) => ({ perSecond: 100, value });
    return [
      {
        title: `every loop tick grows ${long} s late: fires; stays on time: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          s.histogram('loopDelay', fires, ticks(short), ticks(long));
          s.histogram('loopDelay', calm, ticks(short), ticks(short));
        },
        expected: [
          {
            rule: rule!,
            labels: pick(fires, ctx.q.byInstance),
            value: quantileOfConstant('loopDelay', 0.99, long),
          },
        ],
      },
    ];
  },
};

export const eventLoopSaturated: AlertDefinition = {
  name: 'EventscopeEventLoopSaturated',
  group: 'runtime',
  meaning: 'Event-loop utilization stays above the configured share: the process has no idle time left.',
  details:
    'A saturated loop cannot take more work: events queue in the broker or in memory, their age grows, and any extra load turns into latency.',
  causes: loopCauses,
  actions: ['Scale out (more consumers), lower per-event work, or move CPU-heavy work off the loop.'],
  checks: (ctx) => loopChecks(ctx).reverse(),
  rules: (ctx) => [
    {
      expr: `${loopUtilization(ctx.q, ctx.q.byInstance, ctx.window)} > ${num(ctx.th.eventLoopUtilizationRatio)}`,
      severity: 'ticket',
      forSeconds: forOf(ctx, 'medium'),
      summary: `Event loop of ${svc(ctx)} ${inst} is saturated`,
      description: `The event loop of ${svc(ctx)} ${inst} is busy {{ $value | humanizePercentage }} of the time (alerting above ${num(ctx.th.eventLoopUtilizationRatio * 100)} %).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const low = ctx.th.eventLoopUtilizationRatio / 2;
    const high = (ctx.th.eventLoopUtilizationRatio + 1) / 2;
    // Per second of wall time: seconds of active loop time, and the rest idle.
    return [
      {
        title: `utilization rises to ${num(high * 100)} %: fires; stays at ${num(low * 100)} %: silent`,
        onsetSeconds: 2 * ctx.profile.rateSeconds,
        settleSeconds: ctx.profile.rateSeconds,
        build: (s) => {
          for (const [labels, after] of [
            [fires, high],
            [calm, low],
          ] as const) {
            s.counter('loopTime', { ...labels, [label.loopState]: 'active' }, low, after);
            s.counter('loopTime', { ...labels, [label.loopState]: 'idle' }, 1 - low, 1 - after);
          }
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byInstance), value: high }],
      },
    ];
  },
};

/** Process restarts per instance within the restart window: changes of the start time. */
const restartCount = ({ q, profile }: AlertContext) =>
  sum(
    q.byInstance,
    q.overTime('changes', 'processStartTime', 'value', formatDuration(profile.restartWindowSeconds)),
  );

export const frequentRestarts: AlertDefinition = {
  name: 'EventscopeFrequentRestarts',
  group: 'runtime',
  meaning: 'The process restarted at least the configured number of times within the restart window.',
  details:
    'Each restart drops in-flight events (or redelivers them), empties caches and resets the heap. Repeated restarts usually mean crashes: out-of-memory kills, unhandled rejections, failing health checks.',
  causes: [
    'Out of memory ("JavaScript heap out of memory", or the container limit): see the heap alerts.',
    'Uncaught exceptions or unhandled promise rejections.',
    'Liveness probes failing because the event loop is blocked.',
  ],
  actions: [
    'Read the logs of the previous runs (kubectl logs --previous).',
    'Check the heap and loop delay just before each restart.',
  ],
  checks: (ctx) => [
    { title: 'Restarts per instance', expr: restartCount(ctx) },
    ...gcChecks(ctx).slice(2, 3),
  ],
  rules: (ctx) => [
    {
      expr: `${restartCount(ctx)} >= ${ctx.th.restartsPerWindow}`,
      severity: 'ticket',
      forSeconds: forOf(ctx, 'none'),
      summary: `${svc(ctx)} ${inst} restarts frequently`,
      description: `${svc(ctx)} ${inst} restarted {{ $value | humanize }} times in ${formatDuration(ctx.profile.restartWindowSeconds)} (alerting at ${ctx.th.restartsPerWindow}).`,
    },
  ],
  scenarios: (ctx, [rule]) => {
    const { fires, calm } = twoInstances(ctx);
    const { profile, th } = ctx;
    const step = profile.stepSeconds;
    const restarts = th.restartsPerWindow;
    const onset = Math.ceil((profile.restartWindowSeconds + step) / step);
    const tail = Math.max(2, Math.floor(profile.restartWindowSeconds / step / 2) - restarts);
    const end = onset + restarts + tail;
    // Start time jumps once per restart, one step apart; the window covers all of them with room on both sides.
    const started = 1_700_000_000;
    const series = (n: number) =>
      n === 0
        ? `${started}+0x${end}`
        : `${started}+0x${onset - 1} ${started + step}+${step}x${n - 1} ${started + n * step}+0x${end - onset - n}`;
    return [
      {
        title: `${restarts} restarts in a row: fires; ${restarts - 1}: silent`,
        onsetSeconds: onset * step,
        settleSeconds: (restarts + tail - 1) * step,
        build: (s) => {
          s.raw('processStartTime', fires, series(restarts));
          s.raw('processStartTime', calm, series(restarts - 1));
        },
        expected: [{ rule: rule!, labels: pick(fires, ctx.q.byInstance), value: restarts }],
      },
    ];
  },
};

export const runtimeAlerts: AlertDefinition[] = [
  gcTimeShareHigh,
  majorGcPauseHigh,
  heapNearLimit,
  memoryPredictedExhaustion,
  eventLoopDelayHigh,
  eventLoopSaturated,
  frequentRestarts,
];
