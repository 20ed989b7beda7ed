import type {
  Consumer,
  ConsumerRunConfig,
  EachBatchPayload,
  EachMessagePayload,
  IHeaders,
  KafkaMessage,
  Message,
  Producer,
  ProducerBatch,
  ProducerRecord,
} from 'kafkajs';
import { instrumentBatchHandler } from '../batch.js';
import { BoundedMap } from '../bounded-map.js';
import { instrumentHandler } from '../handler.js';
import { instrumentProducer } from '../producer.js';
import { headerText } from '../propagation.js';
import { defaultStore } from '../store.js';
import type {
  BatchHandlerOptions,
  CarrierReader,
  CarrierWriter,
  HandlerOptions,
  ProducerOptions,
} from '../types.js';
import { millisFrom } from './epoch.js';
import { type AdapterOptions, commonOptions } from './options.js';
import { patchMethod } from './patch.js';

/**
 * Kafka through `kafkajs`.
 *
 * - `instrumentKafkaProducer(producer)`: `send` and `sendBatch`, in place; trace context and
 *   creation time go into each message's headers (messages are copied, not mutated). A
 *   `sendBatch` spanning several topics is labelled with its first topic.
 * - `instrumentKafkaConsumer(consumer, { consumerGroup })`: the `eachMessage` / `eachBatch`
 *   handlers given to `consumer.run`. Or wrap them yourself with `instrumentEachMessage` /
 *   `instrumentEachBatch`. Event age comes from the message timestamp (CreateTime, or
 *   LogAppendTime when the topic is configured so).
 *
 * No Kafka broker is part of this repository's test environment: the adapter is tested against
 * kafkajs's own types and the payload shapes its consumer delivers, not a running cluster.
 */

export const KAFKA_SYSTEM = 'kafka';

export interface KafkaAdapterOptions extends AdapterOptions {
  /** `messaging.destination.name` for a topic; default the topic. */
  destination?: (topic: string) => string;
}

const headerReader: CarrierReader<KafkaMessage, IHeaders> = {
  carrier: (message) => message.headers,
  get: (headers, key) => headerText(headers[key]),
};

const kafkaCreatedAt = (message: KafkaMessage) => millisFrom(message.timestamp);

/** The header objects of every message a send carries; a header is set on each that lacks it. */
type OutgoingHeaders = IHeaders[];
const headerWriter = (
  messagesOf: (args: unknown[]) => Message[][],
): CarrierWriter<unknown[], OutgoingHeaders> => ({
  carrier: (args) => {
    const out: OutgoingHeaders = [];
    for (const messages of messagesOf(args)) {
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        const headers: IHeaders = { ...message.headers };
        messages[i] = { ...message, headers };
        out.push(headers);
      }
    }
    return out;
  },
  set: (all, key, value) => {
    for (const headers of all) if (headers[key] === undefined) headers[key] = value;
  },
  // A header counts as set by the user only when every message has it.
  get: (all, key) => {
    if (all.length === 0) return undefined;
    for (const headers of all) if (headers[key] === undefined) return undefined;
    return headerText(all[0]![key]);
  },
});

/** `send(record)`: copies the record and its message array so the caller's objects stay untouched. */
const recordMessages = (args: unknown[]): Message[][] => {
  const record = args[0] as ProducerRecord | undefined;
  if (!record || !Array.isArray(record.messages)) return [];
  const messages = [...record.messages];
  args[0] = { ...record, messages };
  return [messages];
};

const batchMessages = (args: unknown[]): Message[][] => {
  const batch = args[0] as ProducerBatch | undefined;
  if (!batch || !Array.isArray(batch.topicMessages)) return [];
  const topicMessages = batch.topicMessages.map((t) => ({ ...t, messages: [...t.messages] }));
  args[0] = { ...batch, topicMessages };
  return topicMessages.map((t) => t.messages);
};

/** Instrument `send` and `sendBatch` of a KafkaJS producer, in place. */
export function instrumentKafkaProducer<P extends Producer>(
  producer: P,
  options: KafkaAdapterOptions = {},
): P {
  const common = commonOptions(options, KAFKA_SYSTEM);
  const destination = (topic: string | undefined) =>
    topic === undefined ? undefined : (options.destination?.(topic) ?? topic);
  const base = (): Omit<ProducerOptions<unknown[]>, 'destination' | 'carrier'> => {
    const out: Omit<ProducerOptions<unknown[]>, 'destination' | 'carrier'> = {
      ...common,
      operationName: 'send',
    };
    return out;
  };
  patchMethod(producer, 'send', (original) =>
    instrumentProducer(original, {
      ...base(),
      destination: (args) => destination((args[0] as ProducerRecord | undefined)?.topic),
      carrier: headerWriter(recordMessages),
      messageCount: (args) => (args[0] as ProducerRecord | undefined)?.messages?.length ?? 0,
    }),
  );
  patchMethod(producer, 'sendBatch', (original) =>
    instrumentProducer(original, {
      ...base(),
      destination: (args) => destination((args[0] as ProducerBatch | undefined)?.topicMessages?.[0]?.topic),
      carrier: headerWriter(batchMessages),
      messageCount: (args) =>
        ((args[0] as ProducerBatch | undefined)?.topicMessages ?? []).reduce(
          (n, t) => n + t.messages.length,
          0,
        ),
    }),
  );
  return producer;
}

function consumerOptions<M>(options: KafkaAdapterOptions): HandlerOptions<M> {
  const out: HandlerOptions<M> = { ...commonOptions(options, KAFKA_SYSTEM) };
  if (options.consumerGroup !== undefined) out.consumerGroup = options.consumerGroup;
  if (options.slowThreshold !== undefined) out.slowThreshold = options.slowThreshold;
  return out;
}

/** Wrap an `eachMessage` handler. Pass `consumerGroup` (the consumer's `groupId`). */
export function instrumentEachMessage<H extends (payload: EachMessagePayload) => Promise<void>>(
  eachMessage: H,
  options: KafkaAdapterOptions = {},
): H {
  const handlerOptions: HandlerOptions<EachMessagePayload> = {
    ...consumerOptions<EachMessagePayload>(options),
    destination: (payload) => options.destination?.(payload.topic) ?? payload.topic,
    carrier: {
      ...headerReader,
      carrier: (payload) => payload.message?.headers,
    } as CarrierReader<EachMessagePayload>,
    createdAt: (payload) => kafkaCreatedAt(payload.message),
  };
  return instrumentHandler(eachMessage, handlerOptions);
}

/**
 * Wrap an `eachBatch` handler: per message age and counts, one span linked to every producer.
 * Kafka messages do not carry their topic, so one wrapper is resolved per topic (bounded).
 */
export function instrumentEachBatch<H extends (payload: EachBatchPayload) => Promise<void>>(
  eachBatch: H,
  options: KafkaAdapterOptions = {},
): H {
  const store = options.store ?? defaultStore;
  // Kafka messages do not carry their topic: one wrapper per topic, as many as the budget allows.
  const perTopic = new BoundedMap<H>(store.destinationBudget, (destination) => {
    const batchOptions: BatchHandlerOptions<EachBatchPayload, KafkaMessage> = {
      ...consumerOptions<KafkaMessage>(options),
      destination,
      carrier: headerReader,
      createdAt: kafkaCreatedAt,
      messages: (payload) => payload.batch.messages,
    };
    return instrumentBatchHandler(eachBatch, batchOptions);
  });
  return function eachBatchInstrumented(this: unknown, payload: EachBatchPayload) {
    let wrapped: H = eachBatch;
    try {
      const topic = payload.batch.topic;
      wrapped = perTopic.get(options.destination?.(topic) ?? topic);
    } catch {
      // No topic to label with: the batch runs unrecorded rather than not at all.
    }
    return wrapped.call(this, payload);
  } as H;
}

/** Instrument the handlers given to `consumer.run`, in place. Pass `consumerGroup` (the `groupId`). */
export function instrumentKafkaConsumer<C extends Consumer>(
  consumer: C,
  options: KafkaAdapterOptions = {},
): C {
  patchMethod(
    consumer,
    'run',
    (original) =>
      function run(this: C, config?: ConsumerRunConfig, ...rest: unknown[]) {
        if (!config) return original.call(this, config, ...rest);
        const instrumented: ConsumerRunConfig = { ...config };
        if (config.eachMessage) instrumented.eachMessage = instrumentEachMessage(config.eachMessage, options);
        if (config.eachBatch) instrumented.eachBatch = instrumentEachBatch(config.eachBatch, options);
        return original.call(this, instrumented, ...rest);
      },
  );
  return consumer;
}
