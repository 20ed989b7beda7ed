import { performance } from 'node:perf_hooks';
import type { JetStreamClient, JsMsg, Msg, NatsConnection, NatsError, Subscription } from 'nats';
import type { BacklogOptions } from '../backlog.js';
import { instrumentHandler } from '../handler.js';
import { instrumentProducer } from '../producer.js';
import type { HandlerOptions, ProducerOptions } from '../types.js';
import { instrumentMessageIterator } from './message-iterator.js';
import { watchConsumersOf } from './nats-backlog.js';
import { natsHeaderReader, natsHeaderWriter, stampedUpstream } from './nats-headers.js';
import { type AdapterOptions, commonOptions } from './options.js';
import { patchMethod } from './patch.js';
import { type SettleOutcome, type SettleTarget, SettleTargets } from './settle.js';

/**
 * NATS through the `nats` package (nats.js v2, the package most NATS users run; nats.js v3 moved
 * to `@nats-io/transport-node` and friends with the same message shapes).
 *
 * - Core NATS: `instrumentNatsConnection(nc)` instruments `publish`, `request` and `subscribe`
 *   (callback subscriptions and `for await` subscriptions alike). Trace context and the creation
 *   time travel in NATS headers.
 * - JetStream: `instrumentJetStream(js)` instruments `publish`; `instrumentJetStreamHandler` wraps
 *   a `consume({ callback })` handler and `instrumentJetStreamMessages` a `for await` loop over
 *   `consume()`/`fetch()`. Event age comes from the JetStream message timestamp; ack, nak and
 *   term are recorded as settle outcomes, redeliveries are counted. The consumers `js` hands out
 *   have their backlog watched on the broker (`nats-backlog.ts`); core NATS keeps none.
 *
 * Subjects the client uses for its own plumbing (`_INBOX.`, `$JS.`, `$KV.`, `$O.`, `$SYS.`) are
 * never instrumented.
 */

export const NATS_SYSTEM = 'nats';
export {
  type JetStreamBacklogTarget,
  jetStreamBacklogSource,
  watchJetStreamBacklog,
} from './nats-backlog.js';

export interface NatsAdapterOptions extends AdapterOptions {
  /**
   * `messaging.destination.name` for a subject. Default: the subject itself. Pass a function for
   * templated subjects (`orders.*` rather than `orders.12345`) to keep cardinality low.
   */
  destination?: (subject: string) => string;
  /**
   * The backlog of the JetStream consumers `instrumentJetStream(js)` hands out (`js.consumers.get`,
   * `js.subscribe`), read from the broker on the same connection: on by default (one consumer-info
   * request, plus one stream read while messages wait, per consumer per `intervalMs`, 10 s);
   * `false` turns it off. Its `store` defaults to the adapter's. Core NATS keeps no backlog.
   */
  backlog?: false | BacklogOptions;
}

const internalPrefixes = ['_INBOX.', '$JS.', '$KV.', '$O.', '$SYS.'];
const isInternal = (subject: string) => {
  for (const prefix of internalPrefixes) if (subject.startsWith(prefix)) return true;
  return false;
};

const destinationOf = (options: NatsAdapterOptions) =>
  options.destination
    ? (subject: string) => options.destination?.(subject) ?? subject
    : (subject: string) => subject;

function producerOptions(options: NatsAdapterOptions, operationName: string): ProducerOptions<unknown[]> {
  const destination = destinationOf(options);
  const out: ProducerOptions<unknown[]> = {
    ...commonOptions(options, NATS_SYSTEM),
    operationName,
    destination: (args) => destination(String(args[0])),
    carrier: natsHeaderWriter,
  };
  return out;
}

function consumerOptions<M extends Msg | JsMsg>(
  options: NatsAdapterOptions,
  messageArgument: number,
): HandlerOptions<M> {
  const destination = destinationOf(options);
  const out: HandlerOptions<M> = {
    ...commonOptions(options, NATS_SYSTEM),
    messageArgument,
    destination: (message) => destination(message.subject),
    carrier: natsHeaderReader,
  };
  if (options.consumerGroup !== undefined) out.consumerGroup = options.consumerGroup;
  if (options.slowThreshold !== undefined) out.slowThreshold = options.slowThreshold;
  return out;
}

// ---- core NATS --------------------------------------------------------------------------------

/** Wrap a subscription callback `(err, msg) => void`. Error callbacks pass through unrecorded. */
export function instrumentNatsHandler<H extends (err: NatsError | null, msg: Msg) => unknown>(
  callback: H,
  options: NatsAdapterOptions = {},
): H {
  const instrumented = instrumentHandler(callback, consumerOptions<Msg>(options, 1));
  return function natsCallback(this: unknown, err: NatsError | null, msg: Msg) {
    return err || !msg ? callback.call(this, err, msg) : instrumented.call(this, err, msg);
  } as H;
}

/** Instrument a `for await (const msg of sub)` subscription, in place. */
export function instrumentNatsSubscription<S extends Subscription>(
  sub: S,
  options: NatsAdapterOptions = {},
): S {
  const handlerOptions = consumerOptions<Msg>(options, 0);
  patchMethod(
    sub,
    Symbol.asyncIterator,
    (original) =>
      function iterate(this: S) {
        return instrumentMessageIterator<Msg>(original.call(this), handlerOptions);
      },
  );
  return sub;
}

/** Instrument `publish`, `request` and `subscribe` of a connection, in place. */
export function instrumentNatsConnection<C extends NatsConnection>(
  nc: C,
  options: NatsAdapterOptions = {},
): C {
  const inbox = `${(nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix ?? '_INBOX'}.`;
  // Plumbing subjects, and messages an instrumented call up the stack (request → publish,
  // JetStream publish → request) has counted already: each message is counted once, by the
  // call the user made.
  const skip = (subject: unknown, options: unknown) =>
    typeof subject !== 'string' ||
    isInternal(subject) ||
    subject.startsWith(inbox) ||
    stampedUpstream(options);

  patchMethod(nc, 'publish', (original) => {
    const instrumented = instrumentProducer(original, producerOptions(options, 'publish'));
    return function publish(this: C) {
      // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per message
      return Reflect.apply(skip(arguments[0], arguments[2]) ? original : instrumented, this, arguments);
    };
  });
  patchMethod(nc, 'request', (original) => {
    const instrumented = instrumentProducer(original, producerOptions(options, 'request'));
    return function request(this: C, ...args: unknown[]) {
      return skip(args[0], args[2]) ? original.apply(this, args) : instrumented.apply(this, args);
    };
  });
  patchMethod(
    nc,
    'subscribe',
    (original) =>
      function subscribe(this: C, subject: string, subOptions?: Parameters<NatsConnection['subscribe']>[1]) {
        if (skip(subject, undefined)) return original.call(this, subject, subOptions);
        if (subOptions?.callback) {
          return original.call(this, subject, {
            ...subOptions,
            callback: instrumentNatsHandler(subOptions.callback, options),
          });
        }
        return instrumentNatsSubscription(original.call(this, subject, subOptions) as Subscription, options);
      },
  );
  return nc;
}

// ---- JetStream --------------------------------------------------------------------------------

/**
 * Instrument `js.publish`, in place (the stream stores the message with its headers), and watch
 * the backlog of the consumers `js` hands out (see `backlog`).
 */
export function instrumentJetStream<J extends JetStreamClient>(js: J, options: NatsAdapterOptions = {}): J {
  patchMethod(js, 'publish', (original) => {
    const instrumented = instrumentProducer(original, producerOptions(options, 'publish'));
    return function publish(this: J, ...args: unknown[]) {
      return instrumented.apply(this, args);
    };
  });
  if (options.backlog !== false) {
    const backlog = { ...options.backlog };
    if (backlog.store === undefined && options.store !== undefined) backlog.store = options.store;
    watchConsumersOf(js, {
      system: options.system ?? NATS_SYSTEM,
      destination: destinationOf(options),
      backlog,
    });
  }
  return js;
}

const jetStreamCreatedAt = (message: JsMsg) => {
  const nanos = message.info?.timestampNanos;
  return typeof nanos === 'number' && nanos > 0 ? nanos / 1e6 : undefined;
};

// Which settle target a JetStream message belongs to, for the settle methods patched below.
const settleTargetOf = new WeakMap<object, SettleTarget>();
const patchedMessagePrototypes = new WeakSet<object>();

const settleMethods: ReadonlyArray<[name: string, outcome: SettleOutcome, deadLettered: boolean]> = [
  ['ack', 'ack', false],
  ['ackAck', 'ack', false],
  ['next', 'ack', false],
  ['nak', 'nack', false],
  ['term', 'term', true],
];

/**
 * JetStream messages are created by the client, so their settle methods are instrumented on the
 * message class once. A patched method records only for messages an instrumented consumer has
 * tagged, and only the first settle of each message; every call goes through to the client.
 */
function instrumentSettleMethods(message: JsMsg): void {
  const proto = Object.getPrototypeOf(message) as Record<string, unknown> | null;
  if (!proto || patchedMessagePrototypes.has(proto)) return;
  patchedMessagePrototypes.add(proto);
  for (const [name, outcome, deadLettered] of settleMethods) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = function settle(this: JsMsg, ...args: unknown[]) {
      const target = settleTargetOf.get(this);
      if (!target) return original.apply(this, args);
      // Untagged first: a settle method that calls another (ackAck → ack) counts once.
      settleTargetOf.delete(this);
      const start = performance.now();
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        settleTargetOf.set(this, target);
        throw error;
      }
      try {
        target.settle(outcome, name, (performance.now() - start) / 1000, 1, deadLettered);
      } catch {
        // Counting a settle must never break one.
      }
      return result;
    };
  }
}

function jetStreamTracker(options: NatsAdapterOptions) {
  const targets = new SettleTargets(options.system ?? NATS_SYSTEM, options.consumerGroup, options.store);
  const destination = destinationOf(options);
  return (message: JsMsg) =>
    targets.guard(() => {
      instrumentSettleMethods(message);
      const target = targets.get(destination(message.subject));
      settleTargetOf.set(message, target);
      if (message.redelivered) target.redelivered();
    });
}

function jetStreamOptions(options: NatsAdapterOptions, messageArgument: number): HandlerOptions<JsMsg> {
  return { ...consumerOptions<JsMsg>(options, messageArgument), createdAt: jetStreamCreatedAt };
}

/** Wrap a JetStream message handler (`consumer.consume({ callback })`, `consumer.next()` loops). */
export function instrumentJetStreamHandler<H extends (message: JsMsg, ...rest: never[]) => unknown>(
  handler: H,
  options: NatsAdapterOptions = {},
): H {
  const track = jetStreamTracker(options);
  const instrumented = instrumentHandler(handler, jetStreamOptions(options, 0)) as unknown as (
    this: unknown,
    ...args: unknown[]
  ) => unknown;
  return function jetStreamHandler(this: unknown, message: JsMsg, ...rest: unknown[]) {
    track(message);
    return instrumented.call(this, message, ...rest);
  } as unknown as H;
}

/** Instrument a `for await` loop over `consumer.consume()` or `consumer.fetch()` messages, in place. */
export function instrumentJetStreamMessages<I extends AsyncIterable<JsMsg>>(
  messages: I,
  options: NatsAdapterOptions = {},
): I {
  const track = jetStreamTracker(options);
  const handlerOptions = jetStreamOptions(options, 0);
  patchMethod(
    messages,
    Symbol.asyncIterator,
    (original) =>
      function iterate(this: I) {
        return instrumentMessageIterator<JsMsg>(original.call(this), handlerOptions, track);
      },
  );
  return messages;
}
