import { attributes } from '@eventscope/catalog';
import { needService, waitFor } from '@eventscope/testkit';
import { type ConsumeMessage, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentChannel } from '../../src/adapters/amqplib.js';
import { SignalStore } from '../../src/store.js';
import { uniqueName, ValidationError } from './support/run-id.js';
import { countAbove, counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';

const available = await needService('rabbitmq', 5672, 'rabbitmq-server (guest/guest)');
const N = 10_000;
const base = { registry: false as const, runtime: false, slowThreshold: 0 };
const url = 'amqp://guest:guest@127.0.0.1:5672';

describe.skipIf(!available)('amqplib adapter against RabbitMQ on 127.0.0.1:5672', () => {
  let spans: ReturnType<typeof recordSpans>;
  beforeAll(() => {
    spans = recordSpans();
  });
  afterAll(async () => {
    await spans.stop();
  });

  it('N events sendToQueue → consume, counted exactly, span parentage, every ack a settle', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.orders');
    const connection = await connect(url);
    try {
      const channel = instrumentChannel(await connection.createChannel(), {
        ...base,
        store,
        consumerGroup: 'billing',
      });
      await channel.assertQueue(queue, { autoDelete: false, durable: false });
      await channel.prefetch(500);
      const received = new Set<string>();
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        received.add(msg.content.toString());
        channel.ack(msg);
      });
      const started = Date.now();
      const reusedOptions = { persistent: false };
      for (let i = 0; i < N; i++) channel.sendToQueue(queue, Buffer.from(`${i}`), reusedOptions);
      await waitFor(() => received.size === N, { what: `${N} RabbitMQ messages`, timeoutMs: 60_000 });
      const elapsed = (Date.now() - started) / 1000;
      // The caller's options object was never written to.
      expect(reusedOptions).toEqual({ persistent: false });

      const labels = { [attributes.system]: 'rabbitmq', [attributes.destination]: queue };
      expect(counterTotal(store, 'sentMessages', labels)).toBe(N);
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(N);
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'ack' })).toBe(N);
      expect(histogramTotals(store, 'eventAge', labels).count).toBe(N);
      expect(countAbove(store, 'eventAge', labels, elapsed + 1)).toBe(0);
      expect(consumerParentage(await spans.finished(), 'rabbitmq')).toMatchObject({
        producers: N,
        consumers: N,
        withProducerParent: N,
        sharedParents: 0,
      });
      await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });

  it('a throwing handler that nacks keeps its redelivery; error.type, requeue and redelivered are counted', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.payments');
    const connection = await connect(url);
    try {
      const channel = instrumentChannel(await connection.createChannel(), { ...base, store });
      await channel.assertQueue(queue, { durable: false });
      const total = 200;
      const failing = (i: number) => i % 10 === 0;
      const acked = new Set<number>();
      const thrown: unknown[] = [];
      const handler = (msg: ConsumeMessage | null) => {
        if (!msg) return;
        const i = Number(msg.content.toString());
        if (failing(i) && !msg.fields.redelivered) {
          channel.nack(msg, false, true);
          const error = new ValidationError(`event ${i} rejected`);
          thrown.push(error);
          throw error;
        }
        acked.add(i);
        channel.ack(msg);
      };
      // amqplib emits a handler's exception as a channel error; the user's program sees it there.
      const channelErrors: unknown[] = [];
      channel.on('error', (e) => channelErrors.push(e));
      await channel.consume(queue, (msg) => {
        try {
          handler(msg);
        } catch {
          // The user's consumer swallows after nacking, as most consumers do.
        }
      });
      // Instrument the user's handler directly too: its throw must reach the caller unchanged.
      for (let i = 0; i < total; i++) channel.sendToQueue(queue, Buffer.from(`${i}`));
      await waitFor(() => acked.size === total, { what: 'all events acked', timeoutMs: 30_000 });
      const failures = Array.from({ length: total }, (_, i) => i).filter(failing).length;
      const labels = { [attributes.destination]: queue };
      expect(thrown).toHaveLength(failures);
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'requeue' })).toBe(
        failures,
      );
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'ack' })).toBe(
        total,
      );
      expect(counterTotal(store, 'redeliveredEvents', labels)).toBe(failures);
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(total + failures);
      expect(channelErrors).toHaveLength(0);
      await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });

  it('a throwing consume callback is counted with error.type and rethrown to amqplib unchanged', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.rejects');
    const connection = await connect(url);
    try {
      const channel = instrumentChannel(await connection.createChannel(), { ...base, store });
      await channel.assertQueue(queue, { durable: false });
      const total = 50;
      let seen = 0;
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        seen++;
        // reject without requeue: dead-lettered (dropped here, no DLX configured).
        channel.reject(msg, false);
        if (seen % 2 === 0) throw new ValidationError('bad payload');
      });
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      process.on('uncaughtException', onUncaught);
      channel.on('error', () => {});
      connection.on('error', () => {});
      for (let i = 0; i < total; i++) channel.sendToQueue(queue, Buffer.from(`${i}`));
      await waitFor(
        () => seen >= 1 && counterTotal(store, 'consumedMessages', { [attributes.destination]: queue }) >= 1,
        {
          what: 'first delivery',
        },
      );
      await new Promise((r) => setTimeout(r, 500));
      process.off('uncaughtException', onUncaught);
      const labels = { [attributes.destination]: queue };
      const errors = counterTotal(store, 'consumedMessages', {
        ...labels,
        [attributes.errorType]: 'ValidationError',
      });
      expect(errors).toBe(Math.floor(seen / 2));
      expect(counterTotal(store, 'deadLetteredEvents', labels)).toBe(seen);
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'reject' })).toBe(
        seen,
      );
    } finally {
      await connection.close().catch(() => {});
    }
  });
});
