import { performance } from 'node:perf_hooks';
import type { Channel, ConsumeMessage, Message, Options } from 'amqplib';
import { instrumentHandler } from '../handler.js';
import { instrumentProducer } from '../producer.js';
import { headerText } from '../propagation.js';
import type { CarrierReader, CarrierWriter, HandlerOptions, ProducerOptions } from '../types.js';
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
 * property (whole seconds, so coarse).
 */

export const RABBITMQ_SYSTEM = 'rabbitmq';

export interface AmqpAdapterOptions extends AdapterOptions {
  /** `messaging.destination.name` of a consumer; default the queue name. */
  consumeDestination?: (queue: string) => string;
  /** `messaging.destination.name` of a publish; default the exchange, or the routing key on the default exchange. */
  publishDestination?: (exchange: string, routingKey: string) => string;
}

type Headers = Record<string, unknown>;

/** Stands for "every outstanding delivery" where a settle call names no message (`ackAll`, `nackAll`). */
const ALL = Symbol('all outstanding deliveries');

const headerReader: CarrierReader<ConsumeMessage, Headers> = {
  carrier: (message) => message.properties?.headers as Headers | undefined,
  get: (headers, key) => headerText(headers[key]),
  keys: (headers) => Object.keys(headers),
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

const amqpTimestamp = (message: ConsumeMessage) => {
  const seconds = message.properties?.timestamp as unknown;
  return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : undefined;
};

/** Instrument consume, publish, sendToQueue, ack, nack and reject of a channel, in place. */
export function instrumentChannel<C extends Channel>(channel: C, options: AmqpAdapterOptions = {}): C {
  const common = commonOptions(options, RABBITMQ_SYSTEM);
  const targets = new SettleTargets(common.system, options.consumerGroup, options.store);
  // Deliveries not yet settled, by delivery tag. Tags grow on a channel, so the map's insertion
  // order is tag order and "every delivery up to tag T" is a prefix of it.
  const outstanding = new Map<number, SettleTarget>();
  if (typeof channel.on === 'function') channel.on('close', () => outstanding.clear());

  const publishDestination =
    options.publishDestination ??
    ((exchange: string, routingKey: string) => (exchange === '' ? routingKey : exchange));
  const producer = (
    destination: (args: unknown[]) => string,
    optionsIndex: number,
  ): ProducerOptions<unknown[]> => {
    const out: ProducerOptions<unknown[]> = {
      ...common,
      operationName: 'publish',
      destination,
      carrier: headerWriter(optionsIndex),
    };
    return out;
  };

  // amqplib's sendToQueue calls this.publish: while one is in progress, publish passes through
  // so the message is counted once.
  let inSendToQueue = 0;
  patchMethod(channel, 'publish', (original) => {
    const instrumented = instrumentProducer(
      original,
      producer((args) => publishDestination(String(args[0]), String(args[1])), 3),
    );
    return function publish(this: C, ...args: unknown[]) {
      return inSendToQueue > 0 ? original.apply(this, args) : instrumented.apply(this, args);
    };
  });
  patchMethod(channel, 'sendToQueue', (original) => {
    const instrumented = instrumentProducer(
      original,
      producer((args) => publishDestination('', String(args[0])), 2),
    );
    return function sendToQueue(this: C, ...args: unknown[]) {
      inSendToQueue++;
      try {
        return instrumented.apply(this, args);
      } finally {
        inSendToQueue--;
      }
    };
  });

  patchMethod(
    channel,
    'consume',
    (original) =>
      function consume(
        this: C,
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
          targets.guard(() => {
            const target = targets.get(destination);
            if (acks) outstanding.set(message.fields.deliveryTag, target);
            if (message.fields?.redelivered) target.redelivered();
          });
          return instrumented.call(this, message);
        }
        return original.call(this, queue, onDelivery, ...rest);
      },
  );

  const record = (
    target: SettleTarget,
    operation: string,
    requeue: boolean,
    seconds: number,
    count: number,
  ) => {
    if (operation === 'ack' || operation === 'ackAll') target.settle('ack', operation, seconds, count);
    else if (requeue) target.settle('requeue', operation, seconds, count);
    else target.settle(operation === 'reject' ? 'reject' : 'nack', operation, seconds, count, true);
  };

  /**
   * Record one settle call over the outstanding deliveries it covers: one tag (the per-event path:
   * no allocation), or every one up to a tag (`upTo`), or all of them (`tag` Infinity).
   */
  const settle = (operation: string, message: unknown, upTo: boolean, requeue: boolean, start: number) => {
    const seconds = (performance.now() - start) / 1000;
    targets.guard(() => {
      const tag =
        message === ALL ? Number.POSITIVE_INFINITY : (message as Message | null)?.fields?.deliveryTag;
      if (typeof tag !== 'number') return;
      if (!upTo) {
        const target = outstanding.get(tag);
        if (target === undefined) return;
        outstanding.delete(tag);
        record(target, operation, requeue, seconds, 1);
        return;
      }
      const counts = new Map<SettleTarget, number>();
      for (const [pendingTag, target] of outstanding) {
        if (pendingTag > tag) break;
        outstanding.delete(pendingTag);
        counts.set(target, (counts.get(target) ?? 0) + 1);
      }
      for (const [target, count] of counts) record(target, operation, requeue, seconds, count);
    });
  };

  // amqplib's signatures and defaults: ack(message, allUpTo = false),
  // nack(message, allUpTo = false, requeue = true), reject(message, requeue = true),
  // ackAll(), nackAll(requeue = true); it reads `allUpTo` and a given `requeue` as truthy or not.
  const requeues = (requeue: unknown) => requeue === undefined || Boolean(requeue);
  const settleCalls: Record<string, (args: unknown[], start: number) => void> = {
    ack: (args, start) => settle('ack', args[0], Boolean(args[1]), false, start),
    nack: (args, start) => settle('nack', args[0], Boolean(args[1]), requeues(args[2]), start),
    reject: (args, start) => settle('reject', args[0], false, requeues(args[1]), start),
    ackAll: (_args, start) => settle('ackAll', ALL, true, false, start),
    nackAll: (args, start) => settle('nackAll', ALL, true, requeues(args[0]), start),
  };
  for (const [operation, recordCall] of Object.entries(settleCalls)) {
    patchMethod(
      channel,
      operation,
      (original) =>
        function settleCall(this: C, ...args: unknown[]) {
          const start = performance.now();
          const result = original.apply(this, args);
          recordCall(args, start);
          return result;
        },
    );
  }
  return channel;
}
