import { needService } from '@eventscope/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instrumentRedisStreams,
  instrumentStreamHandler,
  redisStreamBacklogSource,
  type StreamEntry,
} from '../../src/adapters/redis-streams.js';
import { watchBacklog } from '../../src/backlog.js';
import { renderExposition } from '../../src/export/exposition.js';
import { SignalStore } from '../../src/store.js';
import { parseExposition } from '../support/text-format.js';
import { consume } from './support/redis-consumer.js';
import { sleep, uniqueName } from './support/run-id.js';
import { startTcpProxy } from './support/tcp-proxy.js';

/**
 * The Redis Streams backlog against the local redis-server: the adapter watches the groups its
 * client's XREADGROUP reads, and the exported backlog is what Redis itself says.
 */

const available = await needService('redis', 6379, 'redis-server --bind 127.0.0.1');
const base = { registry: false as const, runtime: false, slowThreshold: 0 };
const N = 10_000;

/** The exported value of one signal for one stream (collecting the store, as a scrape does). */
function exported(store: SignalStore, name: string, stream?: string): number | undefined {
  const { samples } = parseExposition(renderExposition(store));
  return samples.find(
    (s) => s.name === name && (stream === undefined || s.labels.messaging_destination_name === stream),
  )?.value;
}
const backlogFaults = (store: SignalStore) =>
  parseExposition(renderExposition(store)).samples.find(
    (s) =>
      s.name === 'eventscope_instrumentation_errors_total' && s.labels.eventscope_component === 'backlog',
  )?.value ?? 0;

/** Collect every 50 ms until `done` holds; the time it took (ms). */
async function collectUntil(done: () => boolean, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await sleep(50);
  }
  return performance.now() - started;
}

async function produce(redis: Redis, stream: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1_000) {
    const pipeline = redis.pipeline();
    for (let i = done; i < Math.min(count, done + 1_000); i++) pipeline.xadd(stream, '*', 'n', String(i));
    await pipeline.exec();
  }
}

describe.skipIf(!available)('Redis Streams backlog against redis-server on 127.0.0.1:6379', () => {
  const clients: Redis[] = [];
  const keys: string[] = [];
  let producer: Redis;
  const open = (port = 6379) => {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      maxRetriesPerRequest: null,
      retryStrategy: () => 100,
    });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const newStream = async (group = 'workers') => {
    const key = uniqueName('es:backlog');
    keys.push(key);
    await producer.xgroup('CREATE', key, group, '$', 'MKSTREAM');
    return key;
  };
  /** XINFO GROUPS, read by the test itself. */
  const groupField = async (key: string, group: string, field: string) => {
    const groups = (await producer.xinfo('GROUPS', key)) as unknown[][];
    const fields = groups.find((g) => g[g.indexOf('name') + 1] === group)!;
    return fields[fields.indexOf(field) + 1];
  };
  beforeAll(() => {
    producer = open();
  });
  afterAll(async () => {
    if (keys.length > 0) await producer.del(...keys);
    for (const client of clients) client.disconnect();
  });

  it('acceptance 1: a stopped consumer with 10,000 entries waiting — the exported backlog is XINFO GROUPS lag, the lag in time the oldest entry age, and it drains to 0', async () => {
    const intervalMs = 500;
    const store = new SignalStore();
    const stream = await newStream();
    const consumer = instrumentRedisStreams(open(), { ...base, store, backlog: { intervalMs } });
    let handled = 0;
    const handler = instrumentStreamHandler(() => void handled++, {
      ...base,
      store,
      stream,
      consumerGroup: 'workers',
    });
    let stopped = false;
    let loop = consume(consumer, stream, 'workers', handler, () => stopped);
    await produce(producer, stream, 100);
    await collectUntil(() => handled === 100, 10_000);
    stopped = true;
    await loop;

    await produce(producer, stream, N);
    const lag = await groupField(stream, 'workers', 'lag');
    expect(lag).toBe(N);
    const took = await collectUntil(() => exported(store, 'eventscope_backlog_waiting', stream) === N, 5_000);
    if (process.env.BACKLOG_FIGURES)
      console.log(`exported waiting = XINFO lag ${lag} after ${took.toFixed(0)} ms`);
    expect(took).toBeLessThanOrEqual(intervalMs + 200);
    const [[firstId]] = (await producer.xrange(
      stream,
      `(${await groupField(stream, 'workers', 'last-delivered-id')}`,
      '+',
      'COUNT',
      1,
    )) as unknown as [[string]];
    const trueAge = (Date.now() - Number(firstId.split('-')[0])) / 1000;
    const age = exported(store, 'eventscope_backlog_oldest_age_seconds', stream)!;
    if (process.env.BACKLOG_FIGURES) console.log(`oldest age exported ${age} s, true ${trueAge} s`);
    expect(Math.abs(age - trueAge)).toBeLessThanOrEqual(intervalMs / 1000);
    expect(exported(store, 'eventscope_backlog_unsettled', stream)).toBe(0);
    expect(exported(store, 'eventscope_backlog_redelivered', stream)).toBe(0);
    expect(exported(store, 'eventscope_backlog_consumers', stream)).toBe(1);

    stopped = false;
    loop = consume(consumer, stream, 'workers', handler, () => stopped);
    await collectUntil(
      () =>
        exported(store, 'eventscope_backlog_waiting', stream) === 0 &&
        exported(store, 'eventscope_backlog_oldest_age_seconds', stream) === 0,
      30_000,
    );
    expect(handled).toBe(100 + N);
    stopped = true;
    await loop;
    expect(backlogFaults(store)).toBe(0);
  });

  it("reads beside a blocked XREADGROUP without waiting for it (on the client's duplicate)", async () => {
    const store = new SignalStore();
    const stream = await newStream();
    const consumer = instrumentRedisStreams(open(), {
      ...base,
      store,
      backlog: { intervalMs: 50, timeoutMs: 300 },
    });
    const blocked = consumer.xreadgroup('GROUP', 'workers', 'c1', 'BLOCK', 1_500, 'STREAMS', stream, '>');
    await sleep(50);
    // Answered while the XREADGROUP still blocks (for 1.5 s): on the client's own connection it would wait.
    const took = await collectUntil(() => exported(store, 'eventscope_backlog_waiting', stream) === 0, 1_000);
    expect(took).toBeLessThan(500);
    expect(backlogFaults(store)).toBe(0);
    expect(await blocked).toBeNull();
  });

  it('counts redeliveries in the PEL, and watches nothing with backlog: false', async () => {
    const store = new SignalStore();
    const stream = await newStream();
    const consumer = instrumentRedisStreams(open(), { ...base, store, backlog: { intervalMs: 50 } });
    await produce(producer, stream, 5);
    await consumer.xreadgroup('GROUP', 'workers', 'c1', 'COUNT', 5, 'STREAMS', stream, '>');
    await consumer.xclaim(
      stream,
      'workers',
      'c2',
      0,
      ...((await consumer.xpending(stream, 'workers', '-', '+', 2)) as [string][]).map((e) => e[0]),
    );
    await collectUntil(() => exported(store, 'eventscope_backlog_redelivered', stream) === 2, 5_000);
    expect(exported(store, 'eventscope_backlog_unsettled', stream)).toBe(5);
    expect(exported(store, 'eventscope_backlog_consumers', stream)).toBe(2);

    const off = new SignalStore();
    const plain = instrumentRedisStreams(open(), { ...base, store: off, backlog: false });
    await plain.xreadgroup('GROUP', 'workers', 'c3', 'COUNT', 1, 'STREAMS', stream, '0');
    await sleep(100);
    expect(renderExposition(off)).not.toContain('eventscope_backlog');
  });

  it('acceptance 3: a deleted stream or group is counted, never thrown, and the consumer loses nothing', async () => {
    const store = new SignalStore();
    const stream = await newStream();
    const gone = await newStream();
    await producer.xgroup('CREATE', stream, 'other', '$');
    const consumer = instrumentRedisStreams(open(), { ...base, store, backlog: { intervalMs: 50 } });
    await consumer.xreadgroup('GROUP', 'workers', 'c1', 'COUNT', 1, 'STREAMS', gone, '>');
    await consumer.xreadgroup('GROUP', 'other', 'c1', 'COUNT', 1, 'STREAMS', stream, '>');
    await producer.del(gone);
    await producer.xgroup('DESTROY', stream, 'other');

    const seen = new Set<string>();
    const handler = instrumentStreamHandler((entry: StreamEntry) => void seen.add(entry[0]), {
      ...base,
      store,
      stream,
    });
    let stopped = false;
    const loop = consume(consumer, stream, 'workers', handler, () => stopped);
    const before = backlogFaults(store);
    await produce(producer, stream, 2_000);
    await collectUntil(() => seen.size === 2_000, 20_000);
    await collectUntil(() => exported(store, 'eventscope_backlog_waiting', stream) === 0, 5_000);
    stopped = true;
    await loop;
    expect(backlogFaults(store) - before).toBeGreaterThanOrEqual(2); // the stream gone, the group gone
    expect(exported(store, 'eventscope_backlog_waiting', gone)).toBeUndefined();
  });

  it('acceptance 3: a collector cut off from Redis counts faults, holds one read at most, and the consumer loses nothing', async () => {
    const proxy = await startTcpProxy(6379);
    const store = new SignalStore();
    const stream = await newStream();
    const consumer = instrumentRedisStreams(open(proxy.port), {
      ...base,
      store,
      backlog: { intervalMs: 50, timeoutMs: 100 },
    });
    const seen = new Set<string>();
    const handler = instrumentStreamHandler((entry: StreamEntry) => void seen.add(entry[0]), {
      ...base,
      store,
      stream,
    });
    let stopped = false;
    const loop = consume(consumer, stream, 'workers', handler, () => stopped);
    await produce(producer, stream, 1_000);
    await collectUntil(() => seen.size === 1_000, 10_000);
    proxy.cut();
    const before = backlogFaults(store);
    await produce(producer, stream, 1_000);
    for (let i = 0; i < 10; i++) {
      renderExposition(store);
      await sleep(60);
    }
    expect(backlogFaults(store) - before).toBeGreaterThanOrEqual(5);
    proxy.resume();
    await collectUntil(() => seen.size === 2_000, 20_000);
    await collectUntil(() => exported(store, 'eventscope_backlog_waiting', stream) === 0, 5_000);
    stopped = true;
    await loop;
    await proxy.close();
  });

  it('a held connection keeps one read outstanding, not one per interval', async () => {
    const proxy = await startTcpProxy(6379);
    const stream = await newStream();
    const store = new SignalStore();
    const watch = watchBacklog(redisStreamBacklogSource(open(proxy.port), { stream, group: 'workers' }), {
      store,
      intervalMs: 20,
      timeoutMs: 50,
    });
    await watch.refresh();
    const monitor = await open().monitor();
    clients.push(monitor);
    let sent = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (String(args[0]).toUpperCase() === 'XINFO' && args[2] === stream) sent++;
    });
    proxy.hold();
    const before = backlogFaults(store);
    for (let i = 0; i < 8; i++) await watch.refresh();
    await sleep(100);
    expect(backlogFaults(store) - before).toBe(8);
    expect(sent).toBe(1);
    proxy.release();
    await watch.stop();
    await proxy.close();
  });
});
