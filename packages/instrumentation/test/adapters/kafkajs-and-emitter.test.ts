import { EventEmitter } from 'node:events';
import { attributes } from '@eventscope/catalog';
import type {
  EachBatchPayload,
  EachMessagePayload,
  KafkaMessage,
  Message,
  Producer,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentEmitter, instrumentListener } from '../../src/adapters/event-emitter.js';
import {
  instrumentEachBatch,
  instrumentEachMessage,
  instrumentKafkaProducer,
} from '../../src/adapters/kafkajs.js';
import { SignalStore } from '../../src/store.js';
import { ValidationError } from './support/run-id.js';
import { counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';

const base = { registry: false as const, runtime: false, slowThreshold: 0 };

/**
 * No Kafka broker installs here. The producer below has kafkajs's `Producer['send']` type and
 * hands records on as the consumer delivers them: header values as Buffers, the CreateTime
 * timestamp as a decimal string, offsets as strings — the shapes of kafkajs's `KafkaMessage`.
 */
function inMemoryTopic() {
  const delivered: { topic: string; message: KafkaMessage }[] = [];
  let offset = 0;
  const send: Producer['send'] = async (record: ProducerRecord): Promise<RecordMetadata[]> => {
    for (const m of record.messages) {
      const headers: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(m.headers ?? {}))
        if (typeof v === 'string' || Buffer.isBuffer(v)) headers[k] = Buffer.from(v);
      delivered.push({
        topic: record.topic,
        message: {
          key: m.key ? Buffer.from(m.key) : null,
          value: m.value === null ? null : Buffer.from(m.value),
          timestamp: m.timestamp ?? String(Date.now()),
          attributes: 0,
          offset: String(offset++),
          headers,
        },
      });
    }
    return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
  };
  const producer = { send, sendBatch: async () => [] } as unknown as Producer;
  return { producer, delivered };
}

const payloadOf = (topic: string, message: KafkaMessage): EachMessagePayload => ({
  topic,
  partition: 0,
  message,
  heartbeat: async () => {},
  pause: () => () => {},
});

describe('KafkaJS adapter (kafkajs types and payload shapes; no broker)', () => {
  let spans: ReturnType<typeof recordSpans>;
  beforeAll(() => {
    spans = recordSpans();
  });
  afterAll(async () => {
    await spans.stop();
  });

  it('producer.send → eachMessage: counts, age from the message timestamp, consumer spans parented by producer spans', async () => {
    const store = new SignalStore();
    const { producer, delivered } = inMemoryTopic();
    instrumentKafkaProducer(producer, { ...base, store });
    const record: ProducerRecord = { topic: 'orders.created', messages: [] };
    const n = 1000;
    for (let i = 0; i < n; i += 10) {
      const messages: Message[] = Array.from({ length: 10 }, (_, j) => ({
        value: `${i + j}`,
        headers: { tenant: 'acme' },
      }));
      await producer.send({ ...record, messages });
      // The caller's messages are not mutated.
      expect(messages[0]!.headers).toEqual({ tenant: 'acme' });
    }
    const seen: string[] = [];
    const eachMessage = instrumentEachMessage(
      async ({ message }: EachMessagePayload) => {
        seen.push(message.value!.toString());
      },
      { ...base, store, consumerGroup: 'billing' },
    );
    for (const { topic, message } of delivered) await eachMessage(payloadOf(topic, message));
    const labels = { [attributes.system]: 'kafka', [attributes.destination]: 'orders.created' };
    expect(seen).toHaveLength(n);
    expect(counterTotal(store, 'sentMessages', labels)).toBe(n);
    expect(
      counterTotal(store, 'consumedMessages', { ...labels, [attributes.consumerGroup]: 'billing' }),
    ).toBe(n);
    expect(histogramTotals(store, 'eventAge', labels).count).toBe(n);
    // One send span per send call (10 messages each): every consumer span's parent is one of them.
    const parentage = consumerParentage(await spans.finished(), 'kafka');
    expect(parentage.withProducerParent).toBe(n);
    expect(parentage.producers).toBe(n / 10);
  });

  it('eachBatch: per-message age and counts, batch span linked to the producers; a rejection passes through with error.type', async () => {
    const store = new SignalStore();
    const { producer, delivered } = inMemoryTopic();
    instrumentKafkaProducer(producer, { ...base, store });
    await producer.send({
      topic: 'payments.settled',
      messages: Array.from({ length: 50 }, (_, i) => ({ value: `${i}` })),
    });
    const failure = new ValidationError('batch rejected');
    const eachBatch = instrumentEachBatch(
      async (payload: EachBatchPayload) => {
        if (payload.batch.messages.length > 40) throw failure;
      },
      { ...base, store, consumerGroup: 'billing' },
    );
    const batch = {
      topic: 'payments.settled',
      partition: 0,
      highWatermark: '50',
      messages: delivered.map((d) => d.message),
      isEmpty: () => false,
      firstOffset: () => '0',
      lastOffset: () => '49',
      offsetLag: () => '0',
      offsetLagLow: () => '0',
    };
    const payload = {
      batch,
      resolveOffset: () => {},
      heartbeat: async () => {},
    } as unknown as EachBatchPayload;
    await expect(eachBatch(payload)).rejects.toBe(failure);
    const labels = { [attributes.destination]: 'payments.settled' };
    expect(histogramTotals(store, 'eventAge', labels).count).toBe(50);
    expect(
      counterTotal(store, 'consumedMessages', { ...labels, [attributes.errorType]: 'ValidationError' }),
    ).toBe(50);
    const batchSpan = (await spans.finished()).find(
      (s) => s.attributes['messaging.batch.message_count'] === 50,
    );
    expect(batchSpan?.links).toHaveLength(50);
  });
});

describe('EventEmitter adapter', () => {
  it('instrumentEmitter records every emit of the chosen events, leaves others and listener management alone', () => {
    const store = new SignalStore();
    const emitter = instrumentEmitter(new EventEmitter(), { ...base, store, events: ['order'] });
    const got: unknown[] = [];
    const listener = (order: unknown) => got.push(order);
    emitter.on('order', listener);
    emitter.on('other', listener);
    for (let i = 0; i < 100; i++) expect(emitter.emit('order', { id: i })).toBe(true);
    emitter.emit('other', { id: -1 });
    emitter.off('order', listener);
    expect(emitter.emit('order', { id: 101 })).toBe(false);
    expect(got).toHaveLength(101);
    const labels = { [attributes.system]: 'eventemitter', [attributes.destination]: 'order' };
    expect(counterTotal(store, 'consumedMessages', labels)).toBe(101);
    expect(counterTotal(store, 'consumedMessages', { [attributes.destination]: 'other' })).toBe(0);
  });

  it('a throwing listener throws through emit unchanged and is counted by error.type; async listeners via instrumentListener', async () => {
    const store = new SignalStore();
    const emitter = instrumentEmitter(new EventEmitter(), { ...base, store, events: ['payment'] });
    const failure = new ValidationError('negative amount');
    emitter.on('payment', () => {
      throw failure;
    });
    expect(() => emitter.emit('payment', { amount: -1 })).toThrow(failure);
    expect(
      counterTotal(store, 'consumedMessages', {
        [attributes.destination]: 'payment',
        [attributes.errorType]: 'ValidationError',
      }),
    ).toBe(1);

    const asyncListener = instrumentListener(
      async (_event: unknown) => {
        await new Promise((r) => setTimeout(r, 20));
        throw failure;
      },
      { ...base, store, event: 'refund' },
    );
    await expect(asyncListener({})).rejects.toBe(failure);
    const duration = histogramTotals(store, 'processDuration', { [attributes.destination]: 'refund' });
    expect(duration.count).toBe(1);
    expect(duration.sum).toBeGreaterThanOrEqual(0.015);
  });
});
