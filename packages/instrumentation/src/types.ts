import type { SignalStore } from './store.js';

/**
 * The user's configuration of the wrappers. These names are the public contract: adapters,
 * examples and the CLI build on them.
 */

/** Reads one header from a message's carrier (headers object, Map, user properties …). */
export type HeaderGetter<C = unknown> = (carrier: C, key: string) => string | undefined;
/** Writes one header into a message's carrier. */
export type HeaderSetter<C = unknown> = (carrier: C, key: string, value: string) => void;

/**
 * Where a message keeps its headers and how to read them. The default reads a plain object or a
 * Map found at `message.headers`.
 */
export interface CarrierReader<M = any, C = any> {
  /** The carrier of a message: headers object, Map, MQTT user properties … */
  carrier: (message: M) => C | undefined;
  get: HeaderGetter<C>;
}

export interface CarrierWriter<A extends unknown[] = any[], C = any> {
  /**
   * The carrier for a send call's arguments, created and attached to them when absent.
   * Return undefined when the call has no place for headers (nothing is injected; counted).
   */
  carrier: (args: A) => C | undefined;
  set: HeaderSetter<C>;
  get: HeaderGetter<C>;
}

/** A name, or a function of the message for templated names (`orders.*` rather than `orders.12345`). */
export type DestinationOption<M = any> = string | ((message: M) => string | undefined);

export interface CommonOptions {
  /** `messaging.system`: `nats`, `rabbitmq`, `redis`, `mqtt`, `kafka`, `eventemitter`, `inprocess` … */
  system: string;
  /** Which store to record into (tests; multiple independent pipelines). Default: the shared store. */
  store?: SignalStore;
  /**
   * Where eventscope's series are exported through prom-client: a prom-client Registry, `'global'`
   * (prom-client's default `register`, the default) or `false` for none.
   */
  registry?: unknown | 'global' | false;
  /** Record spans through @opentelemetry/api. Default true; costs nothing when no SDK is registered. */
  tracing?: boolean;
  /**
   * Start the runtime signals (GC pauses, heap, event-loop delay) and GC attribution with the
   * first wrapped handler. Default true; `stopRuntimeMetrics()` stops them.
   */
  runtime?: boolean;
  /**
   * Monotonic clock in milliseconds, on the `performance.now()` timeline (GC entries use it too).
   * Tests inject one to get exact durations.
   */
  clock?: () => number;
  /** Wall clock in epoch milliseconds, for event age. Default `Date.now`. */
  wallClock?: () => number;
  /**
   * Pipeline age across hops, opt-in (default false) because it costs on the hot path. A handler
   * records `eventscope.pipeline.age` and runs inside the pipeline's origin time (an
   * AsyncLocalStorage scope, about 0.5 µs and 1 kB per hop in `pnpm bench`); a producer called
   * from inside such a handler writes that origin into the outgoing message (`eventscope-origin`).
   * Turn it on for the consumers and the producers of every hop the pipeline should span.
   */
  pipelineAge?: boolean;
}

export interface HandlerOptions<M = any> extends CommonOptions {
  /** `messaging.destination.name`. */
  destination?: DestinationOption<M>;
  /** `messaging.consumer.group.name`. */
  consumerGroup?: string;
  /** `messaging.operation.name`: default `process`. */
  operationName?: string;
  /**
   * Which handler argument is the message (default 0). The handler keeps all its arguments;
   * this only says which one to read headers and creation time from.
   */
  messageArgument?: number;
  /** How to read trace and timing headers from a message. */
  carrier?: CarrierReader<M>;
  /**
   * The event's creation time in epoch milliseconds, from the broker's own timestamp where it has
   * one (Redis stream id, Kafka CreateTime, JetStream metadata). Default: the `eventscope-created`
   * header the producer wrapper sets.
   */
  createdAt?: (message: M) => number | undefined;
  /** Events slower than this (ms) are reported with their cause. Default 100 ms; 0 disables. */
  slowThreshold?: number;
}

export interface BatchHandlerOptions<B = any, M = any> extends HandlerOptions<M> {
  /** The messages of a batch argument. Default: the argument itself when it is an array, else `batch.messages`. */
  messages?: (batch: B) => readonly M[];
}

export interface ProducerOptions<A extends unknown[] = any[]> extends CommonOptions {
  /** `messaging.destination.name`: a name or a function of the send call's arguments. */
  destination?: string | ((args: A) => string | undefined);
  /** `messaging.operation.name`: default `send`. */
  operationName?: string;
  /** How to reach (and create) the headers of an outgoing message. */
  carrier?: CarrierWriter<A>;
  /** Messages one send call carries (batch sends). Default 1. */
  messageCount?: (args: A) => number;
  /**
   * Whether a send call's message gets the `eventscope-created` header. Default: every message. An
   * adapter whose broker stamps the creation time itself, and whose consumer reads that stamp,
   * leaves it out where the stamp is there (Redis Streams: entries whose id Redis assigns, `*`).
   */
  creationHeader?: (args: A) => boolean;
}

/** Header names eventscope writes; producers never overwrite a header the user already set. */
export const headerNames = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Creation time of this message, epoch milliseconds, decimal. */
  created: 'eventscope-created',
  /** Creation time of the pipeline's first message, epoch milliseconds, decimal. */
  origin: 'eventscope-origin',
} as const;
