import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { attributes } from '@eventscope/catalog';
import { needService, waitFor } from '@eventscope/testkit';
import { type Channel, type ChannelModel, type ConsumeMessage, connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentChannel } from '../../src/adapters/amqplib.js';
import { RabbitQueueSource, siblingChannelOpener } from '../../src/adapters/amqplib-backlog.js';
import { stopBacklogWatches, watchBacklog } from '../../src/backlog.js';
import { renderExposition } from '../../src/export/exposition.js';
import { SignalStore } from '../../src/store.js';
import { parseExposition } from '../support/text-format.js';
import { startHoldProxy } from './support/hold-proxy.js';
import { sleep, uniqueName } from './support/run-id.js';
import { counterTotal } from './support/series.js';

const available = await needService('rabbitmq', 5672, 'rabbitmq-server (guest/guest)');
const url = 'amqp://guest:guest@127.0.0.1:5672';
const base = { registry: false as const, runtime: false, slowThreshold: 0 };
const N = 10_000;

/** What the exposition says for one queue: `eventscope_backlog_<what>`. */
function exported(store: SignalStore, what: 'waiting' | 'consumers', queue: string): number | undefined {
  const name = `eventscope_backlog_${what}`;
  return parseExposition(renderExposition(store)).samples.find(
    (s) => s.name === name && s.labels.messaging_destination_name === queue,
  )?.value;
}

/** Scrape the store's exposition every `everyMs`, as Prometheus would. */
function scrapeEvery(store: SignalStore, everyMs: number): { stop(): void; scrapes(): number } {
  let scrapes = 0;
  const timer = setInterval(() => {
    renderExposition(store);
    scrapes++;
  }, everyMs);
  return { stop: () => clearInterval(timer), scrapes: () => scrapes };
}

/**
 * Count the `checkQueue` requests sent on channels other than `except` (the test's own), per
 * queue: eventscope's channels are amqplib channels of the same class, so the real method is
 * wrapped on the class and still runs.
 */
function countCheckQueue(channel: Channel, except: Set<Channel> = new Set()) {
  const proto = Object.getPrototypeOf(channel) as { checkQueue: (queue: string) => Promise<unknown> };
  const original = proto.checkQueue;
  const counts = new Map<string, number>();
  proto.checkQueue = function checkQueue(this: Channel, queue: string) {
    if (!except.has(this)) counts.set(queue, (counts.get(queue) ?? 0) + 1);
    return original.call(this, queue);
  };
  return { of: (queue: string) => counts.get(queue) ?? 0, restore: () => void (proto.checkQueue = original) };
}

const run = promisify(execFile);
let rabbitmqctl: boolean | undefined;

/**
 * RabbitMQ's own count of a queue's ready messages and consumers: `rabbitmqctl list_queues`
 * when this user may run it, else a passive declare (`checkQueue`) on the test's own connection.
 */
async function brokerCounts(
  admin: Channel,
  queue: string,
): Promise<{ ready: number; consumers: number; by: string }> {
  if (rabbitmqctl !== false) {
    try {
      const args = ['list_queues', '--quiet', '--no-table-headers', 'name', 'messages_ready', 'consumers'];
      const { stdout } = await run('rabbitmqctl', args, { timeout: 20_000 });
      rabbitmqctl = true;
      const row = stdout.split('\n').find((line) => line.split('\t')[0] === queue);
      if (!row) throw new Error(`rabbitmqctl does not list ${queue}`);
      const [, ready, consumers] = row.split('\t');
      return { ready: Number(ready), consumers: Number(consumers), by: 'rabbitmqctl list_queues' };
    } catch (error) {
      if (rabbitmqctl) throw error;
      rabbitmqctl = false;
    }
  }
  const ok = await admin.checkQueue(queue);
  return { ready: ok.messageCount, consumers: ok.consumerCount, by: 'checkQueue on a separate connection' };
}

const backlogFaults = (store: SignalStore) =>
  counterTotal(store, 'instrumentationErrors', { [attributes.component]: 'backlog' });

describe.skipIf(!available)('amqplib backlog against RabbitMQ on 127.0.0.1:5672', () => {
  afterEach(async () => {
    await stopBacklogWatches();
  });

  it('a stalled consumer with 10,000 messages waiting: the exported backlog equals the broker count within one interval, drains to 0 when it resumes; consumers follow', async () => {
    const intervalMs = 300;
    const store = new SignalStore();
    const queue = uniqueName('es.backlog');
    const [connection, adminConnection] = [await connect(url), await connect(url)];
    const scraper = scrapeEvery(store, 20);
    try {
      const admin = await adminConnection.createConfirmChannel();
      await admin.assertQueue(queue, { durable: false, autoDelete: false });
      const options = { ...base, store, backlog: { intervalMs } };
      const channel = instrumentChannel(await connection.createChannel(), options);
      const prefetch = 100;
      await channel.prefetch(prefetch);
      let stalled = true;
      const held: ConsumeMessage[] = [];
      let acked = 0;
      const { consumerTag } = await channel.consume(queue, (msg) => {
        if (!msg) return;
        if (stalled) held.push(msg);
        else {
          channel.ack(msg);
          acked++;
        }
      });
      for (let i = 0; i < N + prefetch; i++) admin.sendToQueue(queue, Buffer.from(`${i}`));
      await admin.waitForConfirms();
      await waitFor(() => held.length === prefetch, { what: 'the prefetched deliveries' });

      // Stalled: the consumer holds its prefetch unacked, the broker holds the rest.
      const since = performance.now();
      const reached = waitFor(() => exported(store, 'waiting', queue) === N && performance.now(), {
        what: 'waiting = broker count',
        intervalMs: 10,
      });
      const broker = await brokerCounts(admin, queue);
      console.info(`broker count by ${broker.by}: ready ${broker.ready}, consumers ${broker.consumers}`);
      expect(broker).toMatchObject({ ready: N, consumers: 1 });
      const within = (await reached) - since;
      console.info(
        `exported eventscope_backlog_waiting ${N} = broker ${broker.ready}, ${within.toFixed(0)} ms after the backlog was in place`,
      );
      expect(within).toBeLessThan(intervalMs + 200); // one interval, plus a check's round trip and a scrape
      expect(exported(store, 'consumers', queue)).toBe(1);

      // Resume: the backlog drains to 0, as the broker says.
      stalled = false;
      for (const msg of held) channel.ack(msg);
      await waitFor(() => exported(store, 'waiting', queue) === 0, {
        what: 'drained backlog',
        timeoutMs: 60_000,
      });
      expect(acked + held.length).toBe(N + prefetch);
      expect(await brokerCounts(admin, queue)).toMatchObject({ ready: 0, consumers: 1 });

      // A second consumer (another instrumented channel) is seen, and its cancel too.
      const second = instrumentChannel(await connection.createChannel(), options);
      const other = await second.consume(queue, () => {});
      await waitFor(() => exported(store, 'consumers', queue) === 2, { what: 'two consumers' });
      await second.cancel(other.consumerTag);
      await waitFor(() => exported(store, 'consumers', queue) === 1, { what: 'one consumer again' });
      await channel.cancel(consumerTag);
      expect(backlogFaults(store)).toBe(0);
      await admin.deleteQueue(queue);
    } finally {
      scraper.stop();
      await connection.close();
      await adminConnection.close();
    }
  });

  it('at most one checkQueue per queue per interval, however many scrapes and consuming channels', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.backlog.cost');
    const connection = await connect(url);
    const admin = await connection.createChannel();
    const checks = countCheckQueue(admin, new Set([admin]));
    try {
      await admin.assertQueue(queue, { durable: false, autoDelete: false });
      // One long interval: every scrape below falls in it.
      const long = { ...base, store, backlog: { intervalMs: 60_000 } };
      const a = instrumentChannel(await connection.createChannel(), long);
      const b = instrumentChannel(await connection.createChannel(), long);
      await a.consume(queue, () => {}, { noAck: true });
      await b.consume(queue, () => {}, { noAck: true });
      for (let i = 0; i < 20; i++) {
        renderExposition(store);
        await sleep(5);
      }
      await waitFor(() => exported(store, 'consumers', queue) === 2, { what: 'the one reading' });
      console.info(`20 scrapes in one interval, two consuming channels: ${checks.of(queue)} checkQueue`);
      expect(checks.of(queue)).toBe(1);
      await stopBacklogWatches();

      // A 200 ms interval scraped every 10 ms for 1 s: one check per interval.
      const shortQueue = uniqueName('es.backlog.cost');
      await admin.assertQueue(shortQueue, { durable: false, autoDelete: false });
      const c = instrumentChannel(await connection.createChannel(), {
        ...base,
        store,
        backlog: { intervalMs: 200 },
      });
      await c.consume(shortQueue, () => {}, { noAck: true });
      const scraper = scrapeEvery(store, 10);
      await sleep(1000);
      scraper.stop();
      console.info(`${scraper.scrapes()} scrapes over 1 s at 200 ms: ${checks.of(shortQueue)} checkQueue`);
      expect(scraper.scrapes()).toBeGreaterThan(40);
      expect(checks.of(shortQueue)).toBeGreaterThanOrEqual(3);
      expect(checks.of(shortQueue)).toBeLessThanOrEqual(6);
      for (const q of [queue, shortQueue]) await admin.deleteQueue(q);
    } finally {
      checks.restore();
      await connection.close();
    }
  });

  it('cancelling the last consumer, the broker cancelling it, or the channel closing stops the checks', async () => {
    const store = new SignalStore();
    const queues = [
      uniqueName('es.backlog.stop'),
      uniqueName('es.backlog.stop'),
      uniqueName('es.backlog.stop'),
    ];
    const connection = await connect(url);
    const admin = await connection.createChannel();
    const checks = countCheckQueue(admin, new Set([admin]));
    const scraper = scrapeEvery(store, 10);
    try {
      for (const q of queues) await admin.assertQueue(q, { durable: false, autoDelete: false });
      const options = { ...base, store, backlog: { intervalMs: 50 } };
      const cancelled = instrumentChannel(await connection.createChannel(), options);
      const deleted = instrumentChannel(await connection.createChannel(), options);
      const closed = instrumentChannel(await connection.createChannel(), options);
      const { consumerTag } = await cancelled.consume(queues[0]!, () => {}, { noAck: true });
      await deleted.consume(queues[1]!, () => {}, { noAck: true });
      await closed.consume(queues[2]!, () => {}, { noAck: true });
      await waitFor(() => queues.every((q) => checks.of(q) >= 2), { what: 'checks of every queue' });

      await cancelled.cancel(consumerTag);
      await admin.deleteQueue(queues[1]!); // RabbitMQ cancels the consumer of a deleted queue
      await closed.close();
      await sleep(100);
      const after = queues.map((q) => checks.of(q));
      await sleep(500); // ten intervals
      expect(queues.map((q) => checks.of(q))).toEqual(after);
      // A stopped watch leaves no series behind: a gone consumer shows no backlog, not its last one.
      const backlogLines = renderExposition(store)
        .split('\n')
        .filter((line) => line.startsWith('eventscope_backlog_'));
      for (const q of queues) {
        expect(backlogLines.filter((line) => line.includes(`messaging_destination_name="${q}"`))).toEqual([]);
      }
      // The channel whose consumer the broker cancelled is still the user's, open and working.
      await deleted.assertQueue(queues[1]!, { durable: false, autoDelete: false });
      for (const q of [queues[0]!, queues[1]!, queues[2]!]) await admin.deleteQueue(q);
    } finally {
      scraper.stop();
      checks.restore();
      await connection.close();
    }
  });

  it('a missing queue: its checks fail on channels of their own, counted; the user channel consuming and publishing beside it loses nothing', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.backlog.user');
    const missing = uniqueName('es.backlog.missing');
    const connection = await connect(url);
    const scraper = scrapeEvery(store, 10);
    try {
      const channel = instrumentChannel(await connection.createChannel(), {
        ...base,
        store,
        backlog: { intervalMs: 50 },
      });
      const userErrors: unknown[] = [];
      let userClosed = false;
      channel.on('error', (error) => userErrors.push(error));
      channel.on('close', () => {
        userClosed = true;
      });
      await channel.assertQueue(queue, { durable: false, autoDelete: false });
      const open = siblingChannelOpener(channel);
      expect(open).toBeDefined();
      const source = new RabbitQueueSource(open!, missing, 'rabbitmq', missing, undefined);
      const watch = watchBacklog(source, { store, intervalMs: 50 });
      const received = new Set<string>();
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        received.add(msg.content.toString());
        channel.ack(msg);
      });
      const total = 5000;
      for (let i = 0; i < total; i++) {
        channel.sendToQueue(queue, Buffer.from(`${i}`));
        if (i % 500 === 0) await sleep(60);
      }
      await waitFor(() => received.size === total && backlogFaults(store) >= 5, {
        what: 'all messages, failed checks',
      });
      await watch.stop();
      expect(received.size).toBe(total);
      expect(userErrors).toEqual([]);
      expect(userClosed).toBe(false);
      expect(exported(store, 'waiting', missing)).toBeUndefined();
      await waitFor(() => exported(store, 'waiting', queue) === 0, { what: 'the user queue backlog' });
      // Bounded: every failed check's channel was released; the connection holds the user's and at most one more.
      const raw = connection.connection as unknown as { channels: unknown[] }; // [0] is the connection's own
      await waitFor(() => raw.channels.slice(1).filter(Boolean).length <= 2, { what: 'released channels' });
      console.info(
        `missing queue: ${backlogFaults(store)} failed checks counted, ${received.size}/${total} user messages`,
      );
      await channel.deleteQueue(queue);
    } finally {
      scraper.stop();
      await connection.close();
    }
  });

  it('a broker that stops answering: reads time out and are counted, one check outstanding at most; the user traffic resumes with nothing lost', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.backlog.slow');
    const proxy = await startHoldProxy(5672);
    let connection: ChannelModel | undefined;
    const scraper = scrapeEvery(store, 10);
    try {
      connection = await connect(`amqp://guest:guest@127.0.0.1:${proxy.port}`);
      const backlog = { intervalMs: 50, timeoutMs: 100 };
      const channel = instrumentChannel(await connection.createChannel(), { ...base, store, backlog });
      const checks = countCheckQueue(channel, new Set([channel]));
      try {
        const userErrors: unknown[] = [];
        channel.on('error', (error) => userErrors.push(error));
        await channel.assertQueue(queue, { durable: false, autoDelete: false });
        const received = new Set<string>();
        await channel.consume(queue, (msg) => {
          if (!msg) return;
          received.add(msg.content.toString());
          channel.ack(msg);
        });
        await waitFor(() => exported(store, 'consumers', queue) === 1, { what: 'a first reading' });
        const total = 2000;
        for (let i = 0; i < total / 2; i++) channel.sendToQueue(queue, Buffer.from(`${i}`));
        proxy.hold();
        const before = checks.of(queue);
        for (let i = total / 2; i < total; i++) channel.sendToQueue(queue, Buffer.from(`${i}`));
        await sleep(800); // sixteen intervals with no answer
        const duringHold = checks.of(queue) - before;
        const timedOut = backlogFaults(store);
        proxy.release();
        await waitFor(() => received.size === total, { what: `${total} user messages` });
        console.info(
          `held 800 ms: ${duringHold} checkQueue sent, ${timedOut} reads failed (timeouts and refusals)`,
        );
        expect(duringHold).toBeLessThanOrEqual(1);
        expect(timedOut).toBeGreaterThanOrEqual(3);
        expect(userErrors).toEqual([]);
        await waitFor(() => exported(store, 'waiting', queue) === 0, { what: 'readings after the hold' });
        await channel.deleteQueue(queue);
      } finally {
        checks.restore();
      }
    } finally {
      scraper.stop();
      await connection?.close().catch(() => {});
      await proxy.close();
    }
  });

  it('backlog: false opens no channel and watches nothing', async () => {
    const store = new SignalStore();
    const queue = uniqueName('es.backlog.off');
    const connection = await connect(url);
    try {
      const channel = instrumentChannel(await connection.createChannel(), { ...base, store, backlog: false });
      await channel.assertQueue(queue, { durable: false, autoDelete: false });
      await channel.consume(queue, () => {}, { noAck: true });
      for (let i = 0; i < 5; i++) {
        renderExposition(store);
        await sleep(20);
      }
      expect(exported(store, 'consumers', queue)).toBeUndefined();
      const raw = connection.connection as unknown as { channels: unknown[] }; // [0] is the connection's own
      expect(raw.channels.slice(1).filter(Boolean).length).toBe(1);
      await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });
});
