import { performance } from 'node:perf_hooks';
import type { Channel, ConsumeMessage, Message, Options, Replies } from 'amqplib';
import type { BacklogOptions } from '../backlog.js';
import { instrumentHandler } from '../handler.js';
import { instrumentProducer } from '../producer.js';
import { headerText } from '../propagation.js';
import {
  type CarrierReader,
  type CarrierWriter,
  type CommonOptions,
  type HandlerOptions,
  headerNames,
  type ProducerOptions,
} from '../types.js';
import { ChannelBacklog, guardBacklog, type QueueLabels, siblingChannelOpener } from './amqplib-backlog.js';
import { type AdapterOptions, commonOptions } from './options.js';
import { patchMethod } from './patch.js';
import { type SettleTarget, SettleTargets } from './settle.js';

/**
 * RabbitMQ through `amqplib`: `instrumentChannel(channel)` instruments, in place,
 *
 * - `consume(queue, onMessage)`: each delivery is a processed event (destination: the queue);
 *   redeliveries (`fields.redelivered`) are counted;
 * - `publish(exchange, routingKey, …)` and `sendToQueue(queue, …)`: trace context and creation
 *   time go into the message's `headers` property (the user's options are copied, not mutated);
 * - `ack`, `nack`, `reject`, `ackAll`, `nackAll`: settle outcomes (`ack`, `requeue`, `nack`/`reject`
 *   without requeue also count as dead-lettered, since RabbitMQ drops or dead-letters them).
 *   `ack(message, true)` and `nack(message, true)` settle every outstanding delivery up to that
 *   one, `ackAll`/`nackAll` every outstanding delivery, and each is counted once. Outstanding
 *   deliveries are tracked by delivery tag per channel (only for consumers that ack: a `noAck`
 *   consumer has nothing to settle) and forgotten when the channel closes, since the broker then
 *   redelivers them.
 *
 * Event age comes from the producer's creation-time header, else from the AMQP `timestamp`
 * property (seconds as the spec says, or milliseconds as `Date.now()` gives them).
 *
 * The backlog of every queue the channel consumes (ready messages, consumers) is read from
 * RabbitMQ on collection, through channels of eventscope's own (see `amqplib-backlog.ts`), from
 * `consume` until the consumer is cancelled or the channel closes.
 */

export const RABBITMQ_SYSTEM = 'rabbitmq';

export interface AmqpAdapterOptions extends AdapterOptions {
  /** `messaging.destination.name` of a consumer; default the queue name. */
  consumeDestination?: (queue: string) => string;
  /** `messaging.destination.name` of a publish; default the exchange, or the routing key on the default exchange. */
  publishDestination?: (exchange: string, routingKey: string) => string;
  /**
   * Watch the backlog of the queues this channel consumes: RabbitMQ's ready messages and
   * consumers, read by `checkQueue` on a channel of eventscope's own on the same connection, at
   * most once per interval, when the store is collected. On by default (into the adapter's
   * `store`); `false` turns it off; options set the interval, timeout and store.
   */
  backlog?: false | BacklogOptions;
}

type Headers = Record<string, unknown>;

/** Stands for "every outstanding delivery" where a settle call names no message (`ackAll`, `nackAll`). */
const ALL = Symbol('all outstanding deliveries');

const headerReader: CarrierReader<ConsumeMessage, Headers> = {
  carrier: (message) => message.properties?.headers as Headers | undefined,
  get: (headers, key) => headerText(headers[key]),
};

/** Headers of a publish-style call; `optionsIndex` is where the call takes its options. */
function headerWriter(optionsIndex: number): CarrierWriter<unknown[], Headers> {
  return {
    carrier: (args) => {
      const options = args[optionsIndex] as Options.Publish | undefined;
      const headers: Headers = { ...(options?.headers as Headers | undefined) };
      args[optionsIndex] = { ...options, headers };
      return headers;
    },
    set: (headers, key, value) => {
      headers[key] = value;
    },
    get: (headers, key) => headerText(headers[key]),
  };
}

/** From here up a `timestamp` is milliseconds: as seconds it would be past the year 5000. */
const MILLISECOND_TIMESTAMPS_FROM = 1e11;

/**
 * The AMQP `timestamp` property, in epoch ms, for messages that carry no creation header: the
 * header (written by an instrumented producer) is exact to the millisecond and wins — returning
 * nothing here lets the core read it. The AMQP spec says seconds, but amqplib users commonly set
 * `timestamp: Date.now()`, milliseconds; no plausible time is ambiguous between the two.
 */
const amqpTimestamp = (message: ConsumeMessage) => {
  const properties = message.properties;
  const headers = properties?.headers as Headers | undefined;
  if (headers !== undefined && headers !== null && headers[headerNames.created] !== undefined)
    return undefined;
  const stamp = properties?.timestamp as unknown;
  if (typeof stamp !== 'number' || !(stamp > 0)) return undefined;
  return stamp >= MILLISECOND_TIMESTAMPS_FROM ? stamp : stamp * 1000;
};

/** Instrument consume, publish, sendToQueue, ack, nack and reject of a channel, in place. */
export function instrumentChannel<C extends Channel>(channel: C, options: AmqpAdapterOptions = {}): C {
  const common = commonOptions(options, RABBITMQ_SYSTEM);
  const deliveries = new OutstandingDeliveries(
    new SettleTargets(common.system, options.consumerGroup, options.store),
  );
  const backlog = channelBacklog(channel, options);
  if (typeof channel.on === 'function') {
    channel.on('close', () => {
      deliveries.clear();
      backlog?.channelClose();
    });
  }
  instrumentPublishing(channel, options, common);
  instrumentConsume(channel, options, common, deliveries, backlog);
  instrumentSettling(channel, deliveries);
  return channel;
}

/** The channel's backlog watches, unless turned off or the channel is not an amqplib promise-API channel. */
function channelBacklog(channel: Channel, options: AmqpAdapterOptions): ChannelBacklog | undefined {
  if (options.backlog === false || typeof channel.on !== 'function') return undefined;
  const open = siblingChannelOpener(channel);
  if (!open) return undefined;
  const backlogOptions: BacklogOptions = { ...options.backlog };
  if (backlogOptions.store === undefined && options.store !== undefined) backlogOptions.store = options.store;
  const backlog = new ChannelBacklog(channel.connection, open, backlogOptions);
  // A consumer the broker cancelled (its queue was deleted) holds no watch any more.
  channel.on('cancel', (fields: { consumerTag?: unknown }) =>
    guardBacklog(backlogOptions.store, () => backlog.cancelled(String(fields?.consumerTag))),
  );
  patchMethod(
    channel,
    'cancel',
    (original) =>
      function cancel(this: Channel, consumerTag: string, ...rest: unknown[]) {
        const result = original.call(this, consumerTag, ...rest);
        guardBacklog(backlogOptions.store, () => backlog.cancelled(consumerTag));
        return result;
      },
  );
  return backlog;
}

/** `publish` and `sendToQueue`: each message sent once, with trace context and creation time in its headers. */
function instrumentPublishing(channel: Channel, options: AmqpAdapterOptions, common: CommonOptions): void {
  const publishDestination =
    options.publishDestination ??
    ((exchange: string, routingKey: string) => (exchange === '' ? routingKey : exchange));
  const producer = (
    destination: (args: unknown[]) => string,
    optionsIndex: number,
  ): ProducerOptions<unknown[]> => ({
    ...common,
    operationName: 'publish',
    destination,
    carrier: headerWriter(optionsIndex),
  });

  // amqplib's sendToQueue calls this.publish: while one is in progress, publish passes through
  // so the message is counted once.
  let inSendToQueue = 0;
  patchMethod(channel, 'publish', (original) => {
    const instrumented = instrumentProducer(
      original,
      producer((args) => publishDestination(String(args[0]), String(args[1])), 3),
    );
    return function publish(this: Channel, ...args: unknown[]) {
      return inSendToQueue > 0 ? original.apply(this, args) : instrumented.apply(this, args);
    };
  });
  patchMethod(channel, 'sendToQueue', (original) => {
    const instrumented = instrumentProducer(
      original,
      producer((args) => publishDestination('', String(args[0])), 2),
    );
    return function sendToQueue(this: Channel, ...args: unknown[]) {
      inSendToQueue++;
      try {
        return instrumented.apply(this, args);
      } finally {
        inSendToQueue--;
      }
    };
  });
}

/** `consume`: each delivery is a processed event, tracked until it is settled (for consumers that ack). */
function instrumentConsume(
  channel: Channel,
  options: AmqpAdapterOptions,
  common: CommonOptions,
  deliveries: OutstandingDeliveries,
  backlog: ChannelBacklog | undefined,
): void {
  patchMethod(
    channel,
    'consume',
    (original) =>
      function consume(
        this: Channel,
        queue: string,
        onMessage: (msg: ConsumeMessage | null) => void,
        ...rest: unknown[]
      ) {
        if (typeof onMessage !== 'function') return original.call(this, queue, onMessage, ...rest);
        const destination = options.consumeDestination?.(queue) ?? queue;
        const handlerOptions: HandlerOptions<ConsumeMessage> = {
          ...common,
          destination,
          carrier: headerReader,
          createdAt: amqpTimestamp,
        };
        if (options.consumerGroup !== undefined) handlerOptions.consumerGroup = options.consumerGroup;
        if (options.slowThreshold !== undefined) handlerOptions.slowThreshold = options.slowThreshold;
        const instrumented = instrumentHandler(onMessage, handlerOptions);
        const acks = (rest[0] as Options.Consume | undefined)?.noAck !== true;
        function onDelivery(this: unknown, message: ConsumeMessage | null) {
          // null means the broker cancelled the consumer: not an event.
          if (message === null) return onMessage.call(this, message);
          deliveries.delivered(message, destination, acks);
          return instrumented.call(this, message);
        }
        const result = original.call(this, queue, onDelivery, ...rest);
        if (!backlog) return result;
        const labels = { queue, system: common.system, destination, consumerGroup: options.consumerGroup };
        return watchConsumed(result, backlog, labels, options);
      },
  );
}

/**
 * Once `consume` has answered, its consumer holds the queue's backlog watch. The caller gets a
 * promise settling as amqplib's does (a rejection it does not handle is reported as before).
 */
function watchConsumed(
  result: unknown,
  backlog: ChannelBacklog,
  labels: QueueLabels,
  options: AmqpAdapterOptions,
): unknown {
  if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') return result;
  const store = (options.backlog || undefined)?.store ?? options.store;
  return (result as Promise<Replies.Consume>).then((ok) => {
    guardBacklog(store, () => {
      if (typeof ok?.consumerTag === 'string') backlog.consumed(labels, ok.consumerTag);
    });
    return ok;
  });
}

/** `ack`, `nack`, `reject`, `ackAll`, `nackAll`: each outstanding delivery they cover is settled once. */
function instrumentSettling(channel: Channel, deliveries: OutstandingDeliveries): void {
  // amqplib's signatures and defaults: ack(message, allUpTo = false),
  // nack(message, allUpTo = false, requeue = true), reject(message, requeue = true),
  // ackAll(), nackAll(requeue = true); it reads `allUpTo` and a given `requeue` as truthy or not.
  const requeues = (requeue: unknown) => requeue === undefined || Boolean(requeue);
  const settleCalls: Record<string, (args: unknown[], start: number) => void> = {
    ack: (args, start) => deliveries.settled('ack', args[0], Boolean(args[1]), false, start),
    nack: (args, start) => deliveries.settled('nack', args[0], Boolean(args[1]), requeues(args[2]), start),
    reject: (args, start) => deliveries.settled('reject', args[0], false, requeues(args[1]), start),
    ackAll: (_args, start) => deliveries.settled('ackAll', ALL, true, false, start),
    nackAll: (args, start) => deliveries.settled('nackAll', ALL, true, requeues(args[0]), start),
  };
  for (const [operation, recordCall] of Object.entries(settleCalls)) {
    patchMethod(
      channel,
      operation,
      (original) =>
        function settleCall(this: Channel, ...args: unknown[]) {
          const start = performance.now();
          const result = original.apply(this, args);
          recordCall(args, start);
          return result;
        },
    );
  }
}

/**
 * The deliveries of one channel not yet settled, by delivery tag, with the settle target each
 * records into. Tags grow on a channel, so the map's insertion order is tag order and "every
 * delivery up to tag T" is a prefix of it. Forgotten when the channel closes: the broker then
 * redelivers them.
 */
class OutstandingDeliveries {
  private readonly byTag = new Map<number, SettleTarget>();

  constructor(private readonly targets: SettleTargets) {}

  /** A delivery to a consumer: counted as a redelivery when it is one, tracked when it will be settled. */
  delivered(message: ConsumeMessage, destination: string, acks: boolean): void {
    this.targets.guard(() => {
      const target = this.targets.get(destination);
      if (acks) this.byTag.set(message.fields.deliveryTag, target);
      if (message.fields?.redelivered) target.redelivered();
    });
  }

  /**
   * Record one settle call over the outstanding deliveries it covers: one tag (the per-event path:
   * no allocation), or every one up to a tag (`upTo`), or all of them (`ALL`).
   */
  settled(operation: string, message: unknown, upTo: boolean, requeue: boolean, start: number): void {
    const seconds = (performance.now() - start) / 1000;
    this.targets.guard(() => {
      const tag =
        message === ALL ? Number.POSITIVE_INFINITY : (message as Message | null)?.fields?.deliveryTag;
      if (typeof tag !== 'number') return;
      if (!upTo) {
        const target = this.byTag.get(tag);
        if (target === undefined) return;
        this.byTag.delete(tag);
        recordSettle(target, operation, requeue, seconds, 1);
        return;
      }
      const counts = new Map<SettleTarget, number>();
      for (const [pendingTag, target] of this.byTag) {
        if (pendingTag > tag) break;
        this.byTag.delete(pendingTag);
        counts.set(target, (counts.get(target) ?? 0) + 1);
      }
      for (const [target, count] of counts) recordSettle(target, operation, requeue, seconds, count);
    });
  }

  clear(): void {
    this.byTag.clear();
  }
}

/** The outcome of a settle call: ack, requeue, or nack/reject without requeue (dead-lettered). */
function recordSettle(
  target: SettleTarget,
  operation: string,
  requeue: boolean,
  seconds: number,
  count: number,
): void {
  if (operation === 'ack' || operation === 'ackAll') target.settle('ack', operation, seconds, count);
  else if (requeue) target.settle('requeue', operation, seconds, count);
  else target.settle(operation === 'reject' ? 'reject' : 'nack', operation, seconds, count, true);
}
