import { attributes } from '@eventscope/catalog';
import type { EachMessagePayload, KafkaMessage, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { instrumentEachMessage, instrumentKafkaProducer } from '../../src/adapters/kafkajs.js';
import { SignalStore } from '../../src/store.js';
import { headerNames } from '../../src/types.js';
import { histogramTotals } from './support/series.js';

/**
 * An adapter's `pipelineAge` option reaches both its consumers and its producers: one option per
 * adapter turns pipeline age on for a hop. Shown with the KafkaJS adapter on an in-memory topic
 * (kafkajs's types and payload shapes; the broker-backed three-hop test is in nats.test.ts).
 */

const base = { registry: false as const, runtime: false, tracing: false, slowThreshold: 0 };

function inMemoryTopics() {
  const delivered: { topic: string; message: KafkaMessage }[] = [];
  const send: Producer['send'] = async (record: ProducerRecord): Promise<RecordMetadata[]> => {
    for (const m of record.messages) {
      const headers: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(m.headers ?? {}))
        if (typeof v === 'string' || Buffer.isBuffer(v)) headers[k] = Buffer.from(v);
      delivered.push({
        topic: record.topic,
        message: {
          key: null,
          value: m.value === null || m.value === undefined ? null : Buffer.from(m.value),
          timestamp: String(Date.now()),
          attributes: 0,
          offset: String(delivered.length),
          headers,
        },
      });
    }
    return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
  };
  return { producer: { send, sendBatch: async () => [] } as unknown as Producer, delivered };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** orders → (handler waits, forwards) → invoices, through one adapter's producer and consumers. */
async function twoHops(pipelineAge: boolean | undefined) {
  const store = new SignalStore();
  const options = pipelineAge === undefined ? { ...base, store } : { ...base, store, pipelineAge };
  const { producer, delivered } = inMemoryTopics();
  instrumentKafkaProducer(producer, options);
  const handle = instrumentEachMessage(async ({ topic, message }: EachMessagePayload) => {
    if (topic !== 'orders') return;
    await sleep(30);
    await producer.send({ topic: 'invoices', messages: [{ value: message.value }] });
  }, options);
  await producer.send({ topic: 'orders', messages: [{ value: 'order 1' }] });
  for (let i = 0; i < delivered.length; i++) {
    const { topic, message } = delivered[i]!;
    await handle({ topic, partition: 0, message, heartbeat: async () => {}, pause: () => () => {} });
  }
  const invoice = delivered.find((d) => d.topic === 'invoices')!.message;
  const at = (topic: string) =>
    histogramTotals(store, 'pipelineAge', { [attributes.system]: 'kafka', [attributes.destination]: topic });
  return { origin: invoice.headers?.[headerNames.origin], orders: at('orders'), invoices: at('invoices') };
}

describe('adapters forward pipelineAge to producers and consumers', () => {
  it('default: off on both sides', async () => {
    const { origin, orders, invoices } = await twoHops(undefined);
    expect(origin).toBeUndefined();
    expect(orders.count).toBe(0);
    expect(invoices.count).toBe(0);
  });

  it('pipelineAge: true on the adapter: the consumer carries the origin and the producer writes it on', async () => {
    const { origin, orders, invoices } = await twoHops(true);
    expect(origin).toBeDefined();
    expect(orders.count).toBe(1);
    expect(invoices.count).toBe(1);
    // The second hop's pipeline age covers the first hop's 30 ms.
    expect(invoices.sum).toBeGreaterThanOrEqual(0.025);
  });
});
