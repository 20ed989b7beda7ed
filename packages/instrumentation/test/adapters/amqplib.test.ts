import { attributes } from '@eventscope/catalog';
import { needService, waitFor } from '@eventscope/testkit';
import { type Channel, type ChannelModel, type ConsumeMessage, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentChannel } from '../../src/adapters/amqplib.js';
import { renderExposition } from '../../src/export/exposition.js';
import { SignalStore } from '../../src/store.js';
import { sleep, uniqueName, ValidationError } from './support/run-id.js';
import { countAbove, counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

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

  it('event age from the AMQP timestamp in milliseconds or seconds, from the creation header when there is one', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.stamped');
    const connection = await connect(url);
    try {
      const sender = await connection.createChannel(); // a producer eventscope does not instrument
      const channel = instrumentChannel(await connection.createChannel(), { ...base, store });
      await channel.assertQueue(queue, { autoDelete: false, durable: false });
      const ages = new Map<string, number>();
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        // The age is recorded when the handler starts: the sum already holds this message's.
        ages.set(msg.content.toString(), histogramTotals(store, 'eventAge', labels).sum);
        channel.ack(msg);
      });
      const labels = { [attributes.destination]: queue };
      const now = Date.now();
      const send = (body: string, properties: Record<string, unknown>) =>
        sender.sendToQueue(queue, Buffer.from(body), properties);
      send('ms', { timestamp: now - 2500 }); // the common amqplib idiom: Date.now()
      await waitFor(() => ages.size === 1, { what: 'the millisecond message' });
      send('s', { timestamp: Math.floor((now - 5000) / 1000) }); // seconds, as the AMQP spec says
      await waitFor(() => ages.size === 2, { what: 'the second message' });
      send('header', {
        timestamp: Math.floor(now / 1000) - 60,
        headers: { 'eventscope-created': String(now - 300) },
      });
      await waitFor(() => ages.size === 3, { what: 'the header message' });
      send('none', {});
      await waitFor(() => ages.size === 4, { what: 'the unstamped message' });
      const total = histogramTotals(store, 'eventAge', labels);
      // Each message's age is what the sum grew by when it was handled.
      const sums = [0, ...ages.values()];
      const age = (i: number) => sums[i + 1]! - sums[i]!;
      expect(age(0)).toBeGreaterThanOrEqual(2.5);
      expect(age(0)).toBeLessThan(4);
      expect(age(1)).toBeGreaterThanOrEqual(4);
      expect(age(1)).toBeLessThan(7);
      // The header wins over a timestamp a minute old: exact to the millisecond.
      expect(age(2)).toBeGreaterThanOrEqual(0.3);
      expect(age(2)).toBeLessThan(2);
      expect(total.count).toBe(3); // no creation time at all: no age, and no error
      expect(counterTotal(store, 'propagationErrors', labels)).toBe(0);
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

  it('settling many deliveries in one call (ack and nack up to a tag, ackAll, nackAll) counts each delivery once', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.bulk');
    const connection = await connect(url);
    try {
      const channel = instrumentChannel(await connection.createChannel(), { ...base, store });
      await channel.assertQueue(queue, { durable: false });
      const window = 50;
      await channel.prefetch(window);
      // Four rounds of `window` deliveries each, settled as a batch consumer would:
      // 1. nack up to the last one with requeue (amqplib's default): all come back redelivered;
      // 2. nackAll(false): dropped (dead-lettered); 3. ackAll(); 4. ack up to every 10th one.
      const rounds: ((last: ConsumeMessage) => void)[] = [
        (last) => channel.nack(last, true),
        () => channel.nackAll(false),
        () => channel.ackAll(),
      ];
      let held: ConsumeMessage[] = [];
      let deliveries = 0;
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        deliveries++;
        held.push(msg);
        const round = rounds[0];
        if (round && held.length === window) {
          rounds.shift();
          const last = msg;
          held = [];
          round(last);
        } else if (!round && held.length === 10) {
          held = [];
          channel.ack(msg, true);
        }
      });
      // Deliveries: messages + window (the round-1 requeues); three rounds take 3 × window of
      // them, round 4 the last 100.
      const messages = 2 * window + 100;
      for (let i = 0; i < messages; i++) channel.sendToQueue(queue, Buffer.from(`${i}`));
      // Every message is delivered once, plus once more for each of the round-1 requeues.
      await waitFor(() => deliveries === messages + window && held.length === 0, {
        what: 'every delivery settled',
        timeoutMs: 30_000,
      });
      const labels = { [attributes.destination]: queue };
      const settled = (outcome: string) =>
        counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: outcome });
      expect(settled('requeue')).toBe(window);
      expect(settled('nack')).toBe(window);
      expect(counterTotal(store, 'deadLetteredEvents', labels)).toBe(window);
      expect(settled('ack')).toBe(window + 100);
      expect(counterTotal(store, 'redeliveredEvents', labels)).toBe(window);
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(messages + window);
      // Nothing is left unacknowledged or queued at the broker: the counts match what it holds.
      const { messageCount } = await channel.checkQueue(queue);
      expect(messageCount).toBe(0);
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

  it('through a cut connection: with a user-written reconnect and manual acks, the instrumented consumer receives exactly what a bare one does (backlog collection on)', async () => {
    const store = new SignalStore();
    // Scraped as Prometheus would, so the backlog checks run (and fail) through the cut.
    const queues = { bare: uniqueName('es.cut.bare'), instrumented: uniqueName('es.cut.instrumented') };
    // Scrapes as Prometheus would; notes whether the instrumented queue's backlog was ever exported
    // (a watch stops with its channel and takes its series along, so the end may show none).
    let backlogRead = false;
    const scraper = setInterval(() => {
      const text = renderExposition(store);
      backlogRead ||= text
        .split('\n')
        .some(
          (line) => line.startsWith('eventscope_backlog_consumers') && line.includes(queues.instrumented),
        );
    }, 20);
    const total = 3000;
    const admin = await connect(url);
    try {
      const channel = await admin.createConfirmChannel();
      for (const queue of Object.values(queues)) {
        await channel.assertQueue(queue, { durable: false, autoDelete: false });
        for (let i = 0; i < total; i++) channel.sendToQueue(queue, Buffer.from(`${i}`));
      }
      await channel.waitForConfirms();

      /**
       * The consumer users write when the client does not reconnect by itself: on a lost
       * connection, connect again and consume again; manual acks, so every delivery not acked
       * before the cut comes back (redelivered) on the new connection.
       */
      const run = async (queue: string, instrument: boolean) => {
        const proxy: TcpProxy = await startTcpProxy(5672);
        const proxied = `amqp://guest:guest@127.0.0.1:${proxy.port}`;
        const seen = new Set<string>();
        const thrownIntoClient: unknown[] = [];
        let deliveries = 0;
        let redeliveries = 0;
        let reconnects = 0;
        let cut = false;
        let current: ChannelModel | undefined;
        const subscribe = async (): Promise<void> => {
          for (;;) {
            try {
              const connection = await connect(proxied);
              current = connection;
              connection.on('error', () => {}); // the cut is expected; 'close' below reconnects
              connection.on('close', () => {
                if (seen.size < total) {
                  reconnects++;
                  void subscribe();
                }
              });
              const raw: Channel = await connection.createChannel();
              const ch = instrument
                ? instrumentChannel(raw, {
                    ...base,
                    store,
                    consumerGroup: 'billing',
                    backlog: { intervalMs: 50 },
                  })
                : raw;
              // amqplib reports an exception from a consume callback as a channel error.
              ch.on('error', (error) => thrownIntoClient.push(error));
              await ch.prefetch(200);
              await ch.consume(queue, (msg) => {
                if (!msg) return;
                deliveries++;
                if (msg.fields.redelivered) redeliveries++;
                seen.add(msg.content.toString());
                if (!cut && seen.size >= total / 2) {
                  cut = true;
                  proxy.cut();
                  setTimeout(() => proxy.resume(), 300);
                  return; // not acked: RabbitMQ redelivers it on the next connection
                }
                try {
                  ch.ack(msg);
                } catch {
                  // acking on a channel the cut closed fails; the message comes back redelivered
                }
              });
              return;
            } catch {
              await sleep(100);
            }
          }
        };
        await subscribe();
        await waitFor(() => seen.size === total, {
          what: `${total} deliveries on ${queue}`,
          timeoutMs: 60_000,
        });
        await current?.close().catch(() => {});
        await proxy.close();
        return { seen, deliveries, redeliveries, reconnects, thrownIntoClient };
      };
      const [bare, instrumented] = await Promise.all([
        run(queues.bare, false),
        run(queues.instrumented, true),
      ]);
      expect(bare.seen.size).toBe(total);
      expect(bare.reconnects).toBeGreaterThanOrEqual(1);
      expect(instrumented.reconnects).toBeGreaterThanOrEqual(1);
      // The delivery in hand at the cut was never acked: both consumers saw it again.
      expect(bare.redeliveries).toBeGreaterThanOrEqual(1);
      expect(instrumented.redeliveries).toBeGreaterThanOrEqual(1);
      expect([...instrumented.seen].sort()).toEqual([...bare.seen].sort());
      expect(instrumented.thrownIntoClient).toEqual([]);
      expect(bare.thrownIntoClient).toEqual([]);
      // Backlog checks cut mid-flight are counted under their own component; nothing else failed.
      const backlogFaults = counterTotal(store, 'instrumentationErrors', {
        [attributes.component]: 'backlog',
      });
      expect(counterTotal(store, 'instrumentationErrors') - backlogFaults).toBe(0);
      const labels = { [attributes.destination]: queues.instrumented };
      // Every delivery, first or redelivered, was processed through the wrapper exactly once.
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(instrumented.deliveries);
      expect(counterTotal(store, 'redeliveredEvents', labels)).toBe(instrumented.redeliveries);
      // The backlog was read during the run, not just configured.
      expect(backlogRead).toBe(true);
      for (const queue of Object.values(queues)) await channel.deleteQueue(queue);
    } finally {
      clearInterval(scraper);
      await admin.close();
    }
  });
});
