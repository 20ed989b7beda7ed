/**
 * The signal catalog: every metric eventscope emits, declared once, as data.
 *
 * The instrumentation records into these definitions; the dashboards and alerts packages build
 * every query from them. Nothing else in the toolkit spells a metric name. OpenTelemetry semantic
 * conventions are followed where they exist; signals with no convention yet live under the
 * `eventscope.` namespace.
 */

/** How a signal is recorded, in OpenTelemetry terms. */
export type InstrumentKind = 'histogram' | 'counter' | 'updowncounter' | 'gauge';

/**
 * How prom-client's `AggregatorRegistry` (cluster mode) combines one series from every worker into
 * the primary's: counters, histograms and up-down counters add up; each gauge says which of these
 * its meaning needs (a per-process constant takes one worker's value, a restart marker the latest).
 */
export type ClusterAggregator = 'sum' | 'max' | 'min' | 'average' | 'first';

/** Where a signal's name and meaning come from. */
export interface Convention {
  /** `otel` for an OpenTelemetry semantic convention, `eventscope` for ours. */
  readonly source: 'otel' | 'eventscope';
  /** The convention's stability as published (OTel), or `eventscope` for ours. */
  readonly status: 'development' | 'stable' | 'eventscope';
  /** Where to read more. */
  readonly reference: string;
}

/** A signal's name in a later version of its semantic convention. */
export interface Successor {
  /** The new OpenTelemetry instrument name. */
  readonly name: string;
  /**
   * The `OTEL_SEMCONV_STABILITY_OPT_IN` token that selects it: `<optIn>` emits the new name only,
   * `<optIn>/dup` both names, neither the old name only (OpenTelemetry's migration pattern).
   */
  readonly optIn: string;
  /** The semantic-conventions release that renamed it. */
  readonly since: string;
  /** Where the rename is recorded. */
  readonly reference: string;
}

export interface SignalDefinition {
  /** Stable key used in code, e.g. `processDuration`. */
  readonly key: string;
  /** OpenTelemetry instrument name, e.g. `messaging.process.duration`. */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit as OpenTelemetry writes it: `s`, `By`, `1`, `{message}`. */
  readonly unit: string;
  /** Attribute (label) names in OpenTelemetry form, e.g. `messaging.destination.name`. */
  readonly labels: readonly string[];
  /** Explicit histogram bucket upper bounds, in the signal's unit. */
  readonly buckets?: readonly number[];
  /** One sentence: what the signal measures. */
  readonly help: string;
  readonly convention: Convention;
  /**
   * The name the convention gave this signal after renaming it, when it did. Emitted instead of
   * (or beside) `name` under `OTEL_SEMCONV_STABILITY_OPT_IN`; see `conventions.ts`.
   */
  readonly successor?: Successor;
  /** Which part of the toolkit records it. */
  readonly group: 'messaging' | 'event' | 'broker' | 'runtime' | 'attribution' | 'health';
  /** How cluster workers' series combine (prom-client `AggregatorRegistry`): `sum` but for gauges, which choose. */
  readonly aggregator: ClusterAggregator;
  /** Why a gauge aggregates across cluster workers the way it does (the catalog README shows it). */
  readonly aggregatorReason?: string;
}

/** A definition as the table below writes it: counters, histograms and up-down counters sum across workers. */
type SignalInput = Omit<SignalDefinition, 'key' | 'aggregator'> & {
  readonly aggregator?: ClusterAggregator;
};

/** Attribute names, in OpenTelemetry form. */
export const attributes = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  consumerGroup: 'messaging.consumer.group.name',
  errorType: 'error.type',
  gcType: 'v8js.gc.type',
  heapSpace: 'v8js.heap.space.name',
  slowCause: 'eventscope.slow.cause',
  settleOutcome: 'eventscope.settle.outcome',
  propagationError: 'eventscope.propagation.error',
  component: 'eventscope.component',
  loopState: 'nodejs.eventloop.state',
  cpuMode: 'cpu.mode',
} as const;

export type AttributeName = (typeof attributes)[keyof typeof attributes];

/** The closed sets of values some attributes take. */
export const attributeValues = {
  [attributes.gcType]: ['major', 'minor', 'incremental', 'weakcb'],
  [attributes.operationType]: ['send', 'receive', 'process', 'settle', 'create'],
  [attributes.slowCause]: ['gc', 'event_loop', 'handler'],
  [attributes.settleOutcome]: ['ack', 'nack', 'reject', 'requeue', 'term', 'dead_letter'],
  [attributes.propagationError]: ['traceparent', 'tracestate', 'creation_time', 'origin_time', 'carrier'],
  [attributes.loopState]: ['active', 'idle'],
  [attributes.cpuMode]: ['user', 'system'],
} as const satisfies Partial<Record<AttributeName, readonly string[]>>;

/** `error.type` value for failures whose name or code is outside the low-cardinality set. */
export const ERROR_TYPE_OTHER = '_OTHER';
/** Destination value that series fold into once the destination budget is spent. */
export const OVERFLOW_DESTINATION = '_OVERFLOW';

/** Handler and client durations: from 100 µs (in-process handlers) to 10 s. */
export const durationBuckets = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
/** End-to-end event age: from 1 ms to an hour of backlog. */
export const ageBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
] as const;
/** GC pauses: from 100 µs, since minor GCs are sub-millisecond. */
export const gcBuckets = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
] as const;
/**
 * Event-loop delay (how late a timer ran, its interval subtracted): from 0.5 ms, under which an
 * idle loop's timer jitter falls, to 10 s of a loop stuck in synchronous work.
 */
export const loopDelayBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
/** Messages per batch. */
export const batchSizeBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

const OTEL_MESSAGING = 'https://opentelemetry.io/docs/specs/semconv/messaging/messaging-metrics/';
const OTEL_V8JS = 'https://opentelemetry.io/docs/specs/semconv/runtime/v8js-metrics/';
const OTEL_NODEJS = 'https://opentelemetry.io/docs/specs/semconv/runtime/nodejs-metrics/';
const OTEL_PROCESS = 'https://opentelemetry.io/docs/specs/semconv/system/process-metrics/';
const OURS = 'https://github.com/eventscope/eventscope/blob/main/packages/catalog/README.md';

const otel = (reference: string): Convention => ({ source: 'otel', status: 'development', reference });
const ours: Convention = { source: 'eventscope', status: 'eventscope', reference: OURS };

const consumerLabels = [
  attributes.system,
  attributes.destination,
  attributes.operationName,
  attributes.consumerGroup,
] as const;
const destinationLabels = [attributes.system, attributes.destination, attributes.consumerGroup] as const;

function define<const T extends Record<string, SignalInput>>(
  table: T,
): { readonly [K in keyof T]: T[K] & { readonly key: K; readonly aggregator: ClusterAggregator } } {
  const out: Record<string, SignalDefinition> = {};
  for (const [key, def] of Object.entries(table)) {
    // A gauge's value has no one right combination across workers: each gauge chooses.
    if (def.kind === 'gauge' && !def.aggregator) throw new Error(`gauge ${key} declares no aggregator`);
    out[key] = Object.freeze({ key, aggregator: 'sum' as const, ...def });
  }
  return Object.freeze(out) as never;
}

export const signals = define({
  // --- messaging (OpenTelemetry semantic conventions) -------------------------------------------
  processDuration: {
    name: 'messaging.process.duration',
    kind: 'histogram',
    unit: 's',
    labels: [...consumerLabels, attributes.errorType],
    buckets: durationBuckets,
    help: 'Time a wrapped handler took to process one event (or one batch), from call to return or settle.',
    convention: otel(OTEL_MESSAGING),
    group: 'messaging',
  },
  clientOperationDuration: {
    name: 'messaging.client.operation.duration',
    kind: 'histogram',
    unit: 's',
    labels: [...consumerLabels, attributes.operationType, attributes.errorType],
    buckets: durationBuckets,
    help: 'Time a send, receive or settle call to the broker client took.',
    convention: otel(OTEL_MESSAGING),
    group: 'messaging',
  },
  sentMessages: {
    name: 'messaging.client.sent.messages',
    kind: 'counter',
    unit: '{message}',
    labels: [attributes.system, attributes.destination, attributes.operationName, attributes.errorType],
    help: 'Messages a wrapped producer sent (failed sends carry error.type).',
    convention: otel(OTEL_MESSAGING),
    group: 'messaging',
  },
  consumedMessages: {
    name: 'messaging.client.consumed.messages',
    kind: 'counter',
    unit: '{message}',
    labels: [...consumerLabels, attributes.errorType],
    help: 'Messages a wrapped consumer delivered to its handler (failed handlers carry error.type).',
    convention: otel(OTEL_MESSAGING),
    group: 'messaging',
  },

  // --- events (eventscope) -----------------------------------------------------------------------
  eventAge: {
    name: 'eventscope.event.age',
    kind: 'histogram',
    unit: 's',
    labels: destinationLabels,
    buckets: ageBuckets,
    help: "End-to-end age of an event when its handler starts: now minus the event's creation time (broker timestamp, else the producer's header).",
    convention: ours,
    group: 'event',
  },
  pipelineAge: {
    name: 'eventscope.pipeline.age',
    kind: 'histogram',
    unit: 's',
    labels: destinationLabels,
    buckets: ageBuckets,
    help: 'Age of an event since the origin of its pipeline, carried across hops by instrumented producers.',
    convention: ours,
    group: 'event',
  },
  inFlight: {
    name: 'eventscope.events.in_flight',
    kind: 'updowncounter',
    unit: '{event}',
    labels: destinationLabels,
    help: 'Events whose handler has started and not yet finished.',
    convention: ours,
    group: 'event',
  },
  batchSize: {
    name: 'eventscope.batch.size',
    kind: 'histogram',
    unit: '{message}',
    labels: destinationLabels,
    buckets: batchSizeBuckets,
    help: 'Messages per batch handed to a wrapped batch handler (messaging.batch.message_count).',
    convention: ours,
    group: 'event',
  },
  settledEvents: {
    name: 'eventscope.events.settled',
    kind: 'counter',
    unit: '{event}',
    labels: [...destinationLabels, attributes.settleOutcome],
    help: 'Events settled with the broker, by outcome (ack, nack, reject, requeue, term, dead_letter).',
    convention: ours,
    group: 'event',
  },
  redeliveredEvents: {
    name: 'eventscope.events.redelivered',
    kind: 'counter',
    unit: '{event}',
    labels: destinationLabels,
    help: 'Events the broker marked as redelivered.',
    convention: ours,
    group: 'event',
  },
  failedEvents: {
    name: 'eventscope.events.failed',
    kind: 'counter',
    unit: '{event}',
    labels: consumerLabels,
    help: "Failed calls of a wrapped handler (one per event, or per batch), as messaging.process.duration counts them but without error.type: the error ratio's numerator, at 0 from the moment the destination is known, so that rate() sees the first failure of every type.",
    convention: ours,
    group: 'event',
  },
  deadLetteredEvents: {
    name: 'eventscope.events.dead_lettered',
    kind: 'counter',
    unit: '{event}',
    labels: destinationLabels,
    help: 'Events given up on: rejected without requeue, terminated, or routed to a dead-letter destination.',
    convention: ours,
    group: 'event',
  },

  // --- attribution (eventscope) ------------------------------------------------------------------
  slowEvents: {
    name: 'eventscope.slow_events',
    kind: 'counter',
    unit: '{event}',
    labels: [...destinationLabels, attributes.slowCause],
    help: 'Events slower than the slow threshold, by dominant cause: gc (GC pauses overlapped most of it), event_loop (it waited on a blocked loop) or handler (its own work).',
    convention: ours,
    group: 'attribution',
  },
  gcOverlap: {
    name: 'eventscope.gc.overlap.duration',
    kind: 'counter',
    unit: 's',
    labels: destinationLabels,
    help: 'GC pause time that overlapped in-flight events, summed per event; divided by the processing time sum it is the share of handler time spent in GC pauses.',
    convention: ours,
    group: 'attribution',
  },

  // --- what the broker knows (eventscope; OpenTelemetry has no convention for these yet) -----------
  backlogWaiting: {
    name: 'eventscope.backlog.waiting',
    kind: 'gauge',
    unit: '{message}',
    labels: destinationLabels,
    help: 'Messages the broker holds for the consumer (group) and has not delivered yet, read from the broker (RabbitMQ ready messages, JetStream num_pending, Redis Streams group lag).',
    convention: ours,
    group: 'broker',
    aggregator: 'max',
    aggregatorReason: 'every worker reads the same broker count',
  },
  backlogUnsettled: {
    name: 'eventscope.backlog.unsettled',
    kind: 'gauge',
    unit: '{message}',
    labels: destinationLabels,
    help: 'Messages the broker delivered to the consumer (group) and still waits to see settled (JetStream num_ack_pending, Redis Streams pending entries).',
    convention: ours,
    group: 'broker',
    aggregator: 'max',
    aggregatorReason: 'every worker reads the same broker count',
  },
  backlogOldestAge: {
    name: 'eventscope.backlog.oldest_age',
    kind: 'gauge',
    unit: 's',
    labels: destinationLabels,
    help: 'Age of the oldest message waiting for the consumer (group), where the broker can tell it: the consumer lag in time.',
    convention: ours,
    group: 'broker',
    aggregator: 'max',
    aggregatorReason: 'every worker reads the same broker state',
  },
  backlogRedelivered: {
    name: 'eventscope.backlog.redelivered',
    kind: 'gauge',
    unit: '{message}',
    labels: destinationLabels,
    help: 'Messages the broker currently counts as delivered more than once to the consumer (group) (JetStream num_redelivered, Redis Streams pending entries delivered more than once).',
    convention: ours,
    group: 'broker',
    aggregator: 'max',
    aggregatorReason: 'every worker reads the same broker count',
  },
  backlogConsumers: {
    name: 'eventscope.backlog.consumers',
    kind: 'gauge',
    unit: '{consumer}',
    labels: destinationLabels,
    help: 'Consumers the broker sees attached to the destination (RabbitMQ queue consumers, Redis Streams group consumers, JetStream consumers bound to the push subscription).',
    convention: ours,
    group: 'broker',
    aggregator: 'max',
    aggregatorReason: 'every worker reads the same broker count',
  },

  // --- runtime (OpenTelemetry semantic conventions) -----------------------------------------------
  gcDuration: {
    name: 'v8js.gc.duration',
    kind: 'histogram',
    unit: 's',
    labels: [attributes.gcType],
    buckets: gcBuckets,
    help: 'Garbage-collection pauses, every entry the runtime reports, by type.',
    convention: otel(OTEL_V8JS),
    group: 'runtime',
  },
  heapUsed: {
    name: 'v8js.memory.heap.used',
    kind: 'gauge',
    unit: 'By',
    labels: [attributes.heapSpace],
    help: 'V8 heap bytes in use, by heap space.',
    convention: otel(OTEL_V8JS),
    group: 'runtime',
    aggregator: 'max',
    aggregatorReason:
      'each worker has its own heap: the fullest worker, which heap-near-limit compares with one heap limit',
  },
  heapSpaceSize: {
    name: 'v8js.memory.heap.limit',
    kind: 'gauge',
    unit: 'By',
    labels: [attributes.heapSpace],
    help: 'V8 heap bytes reserved for each heap space (its current size).',
    convention: otel(OTEL_V8JS),
    successor: {
      name: 'v8js.memory.heap.space.size',
      optIn: 'v8js',
      since: '1.42.0',
      reference: 'https://github.com/open-telemetry/semantic-conventions/blob/v1.42.0/schemas/1.42.0',
    },
    group: 'runtime',
    aggregator: 'max',
    aggregatorReason: 'each worker has its own heap: the largest worker, beside heap used',
  },
  heapSizeLimit: {
    name: 'eventscope.heap.size_limit',
    kind: 'gauge',
    unit: 'By',
    labels: [],
    help: 'The most heap V8 will grow to before the process dies of out-of-memory (heap_size_limit).',
    convention: ours,
    group: 'runtime',
    aggregator: 'first',
    aggregatorReason: 'a per-process constant, the same in every worker started with the same flags',
  },
  memoryRss: {
    name: 'process.memory.usage',
    kind: 'gauge',
    unit: 'By',
    labels: [],
    help: 'Resident set size of the process.',
    convention: otel(OTEL_PROCESS),
    group: 'runtime',
    aggregator: 'sum',
    aggregatorReason: 'the memory the whole cluster holds',
  },
  loopTime: {
    name: 'nodejs.eventloop.time',
    kind: 'counter',
    unit: 's',
    labels: [attributes.loopState],
    help: 'Cumulative time the event loop has been active (running callbacks) or idle (waiting for I/O); active over active plus idle is its utilization.',
    convention: otel(OTEL_NODEJS),
    group: 'runtime',
  },
  loopDelay: {
    name: 'eventscope.eventloop.delay',
    kind: 'histogram',
    unit: 's',
    labels: [],
    buckets: loopDelayBuckets,
    help: 'Event-loop delay: how late each tick of an interval timer (10 ms by default) ran, its interval subtracted; cumulative, so its quantiles hold over any window, whoever scrapes.',
    convention: ours,
    group: 'runtime',
  },
  cpuTime: {
    name: 'process.cpu.time',
    kind: 'counter',
    unit: 's',
    labels: [attributes.cpuMode],
    help: 'CPU time the process has used, in user and in system mode; its rate is the cores in use.',
    convention: otel(OTEL_PROCESS),
    group: 'runtime',
  },
  processStartTime: {
    name: 'eventscope.process.start_time',
    kind: 'gauge',
    unit: 's',
    labels: [],
    help: 'Unix time the process started; a change means a restart.',
    convention: ours,
    group: 'runtime',
    aggregator: 'max',
    aggregatorReason: 'the latest start: a restart of any worker changes it',
  },

  // --- health of the instrumentation itself (eventscope) ------------------------------------------
  propagationErrors: {
    name: 'eventscope.propagation.errors',
    kind: 'counter',
    unit: '{event}',
    labels: [attributes.system, attributes.destination, attributes.propagationError],
    help: 'Events whose trace or timing headers could not be read (malformed traceparent, tracestate or creation time); the event is still processed.',
    convention: ours,
    group: 'health',
  },
  clockSkewEvents: {
    name: 'eventscope.clock_skew.events',
    kind: 'counter',
    unit: '{event}',
    labels: [attributes.system, attributes.destination],
    help: 'Events whose creation time lies in the future (producer clock ahead); their age is recorded as 0.',
    convention: ours,
    group: 'health',
  },
  labelOverflow: {
    name: 'eventscope.label.overflow',
    kind: 'counter',
    unit: '{event}',
    labels: [attributes.system],
    help: `Events recorded into the ${OVERFLOW_DESTINATION} destination because the destination budget was spent.`,
    convention: ours,
    group: 'health',
  },
  instrumentationErrors: {
    name: 'eventscope.instrumentation.errors',
    kind: 'counter',
    unit: '{error}',
    labels: [attributes.component],
    help: 'Faults inside eventscope itself (exporter, collector, observer); counted and logged, never thrown into user code.',
    convention: ours,
    group: 'health',
  },
});

export type Signals = typeof signals;
export type SignalKey = keyof Signals;

/** Every signal, in catalog order. */
export const signalList: readonly SignalDefinition[] = Object.freeze(Object.values(signals));
