import { needService } from '@eventscope/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStreamBacklogSource } from '../src/adapters/redis-streams.js';
import { type BacklogSource, watchBacklog } from '../src/backlog.js';
import { renderExposition } from '../src/export/exposition.js';
import { SignalStore } from '../src/store.js';
import { sleep, uniqueName } from './adapters/support/run-id.js';
import { startTcpProxy } from './adapters/support/tcp-proxy.js';
import { parseExposition } from './support/text-format.js';

/**
 * The backlog framework (backlog.ts) driven by a real source: Redis Streams consumer groups on the
 * local redis-server, read by `redisStreamBacklogSource`. Broker requests are counted at the
 * broker, with MONITOR, filtered by this run's unique keys.
 */

const available = await needService('redis', 6379, 'redis-server --bind 127.0.0.1');

/** One exported sample of a store (collecting it, as a scrape does), or undefined. */
function exported(store: SignalStore, name: string, labels: Record<string, string> = {}): number | undefined {
  const { samples } = parseExposition(renderExposition(store));
  const found = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value;
}
const faults = (store: SignalStore) =>
  exported(store, 'eventscope_instrumentation_errors_total', { eventscope_component: 'backlog' }) ?? 0;

describe.skipIf(!available)(
  'watchBacklog with the Redis Streams source (redis-server on 127.0.0.1:6379)',
  () => {
    const clients: Redis[] = [];
    const keys: string[] = [];
    const xinfoCalls = new Map<string, number>();
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
    let redis: Redis;

    /** A stream with a group and `waiting` entries not delivered to it. */
    async function stream(waiting: number): Promise<{ key: string; group: string }> {
      const key = uniqueName('backlog-fw');
      keys.push(key);
      await redis.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
      const pipeline = redis.pipeline();
      for (let i = 0; i < waiting; i++) pipeline.xadd(key, '*', 'n', String(i));
      await pipeline.exec();
      return { key, group: 'g' };
    }

    beforeAll(async () => {
      redis = open();
      const monitor = await open().monitor();
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (String(args[0]).toUpperCase() === 'XINFO' && keys.includes(String(args[2])))
          xinfoCalls.set(String(args[2]), (xinfoCalls.get(String(args[2])) ?? 0) + 1);
      });
      clients.push(monitor);
    });
    afterAll(async () => {
      if (keys.length > 0) await redis.del(...keys);
      for (const client of clients) client.disconnect();
    });

    it('reads a source at most once per interval however many collections (counted at the broker)', async () => {
      const { key, group } = await stream(7);
      const store = new SignalStore();
      const watch = watchBacklog(redisStreamBacklogSource(redis, { stream: key, group }), {
        store,
        intervalMs: 400,
      });
      const started = performance.now();
      let collections = 0;
      while (performance.now() - started < 2_000) {
        renderExposition(store);
        collections++;
        await sleep(5);
      }
      await sleep(100); // the MONITOR feed trails the commands
      const reads = xinfoCalls.get(key) ?? 0;
      expect(collections).toBeGreaterThan(100);
      expect(reads).toBeGreaterThanOrEqual(3);
      expect(reads).toBeLessThanOrEqual(Math.ceil(2_000 / 400) + 1);
      expect(exported(store, 'eventscope_backlog_waiting', { messaging_destination_name: key })).toBe(7);
      await watch.stop();
    });

    it('keeps at most `concurrency` reads in flight, and reads every source', async () => {
      const store = new SignalStore();
      let inFlight = 0;
      let most = 0;
      const watches = [];
      for (let i = 0; i < 6; i++) {
        const { key, group } = await stream(i + 1);
        const real = redisStreamBacklogSource(redis, { stream: key, group });
        const counted: BacklogSource = {
          ...real,
          read: async (signal) => {
            most = Math.max(most, ++inFlight);
            try {
              return await real.read(signal);
            } finally {
              inFlight--;
            }
          },
        };
        watches.push(watchBacklog(counted, { store, intervalMs: 60_000, concurrency: 2 }));
      }
      renderExposition(store); // one collection queues all six
      await sleep(300);
      expect(most).toBe(2);
      const { samples } = parseExposition(renderExposition(store));
      const waiting = samples.filter((s) => s.name === 'eventscope_backlog_waiting').map((s) => s.value);
      expect(waiting.sort()).toEqual([1, 2, 3, 4, 5, 6]);
      for (const watch of watches) await watch.stop();
    });

    it('counts a read slower than timeoutMs as a fault and keeps the last value', async () => {
      const proxy = await startTcpProxy(6379);
      const slow = open(proxy.port);
      const { key, group } = await stream(5);
      const store = new SignalStore();
      const labels = { messaging_destination_name: key };
      const watch = watchBacklog(redisStreamBacklogSource(slow, { stream: key, group }), {
        store,
        intervalMs: 50,
        timeoutMs: 150,
      });
      await watch.refresh();
      expect(exported(store, 'eventscope_backlog_waiting', labels)).toBe(5);
      const before = faults(store);
      await redis.xadd(key, '*', 'n', 'late');
      proxy.hold();
      const started = performance.now();
      await watch.refresh();
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(faults(store)).toBe(before + 1);
      expect(exported(store, 'eventscope_backlog_waiting', labels)).toBe(5);
      proxy.release();
      await sleep(100); // the abandoned read is answered; the next one may start
      await watch.refresh();
      expect(exported(store, 'eventscope_backlog_waiting', labels)).toBe(6);
      await watch.stop();
      await proxy.close();
    });

    it('stop() ends reading and closes the source', async () => {
      const { key, group } = await stream(3);
      const own = open();
      const store = new SignalStore();
      const source = {
        ...redisStreamBacklogSource(own, { stream: key, group }),
        close: async () => {
          await own.quit();
        },
      };
      const watch = watchBacklog(source, { store, intervalMs: 20 });
      await watch.refresh();
      await watch.stop();
      await sleep(100);
      const reads = xinfoCalls.get(key) ?? 0;
      for (let i = 0; i < 10; i++) {
        renderExposition(store);
        await sleep(30);
      }
      await sleep(100);
      expect(xinfoCalls.get(key) ?? 0).toBe(reads);
      expect(own.status).toBe('end');
      expect(faults(store)).toBe(0);
    });

    it('makes no series for a field the source leaves out', async () => {
      // 150 entries delivered and not acknowledged: a PEL longer than the source lists, so it cannot
      // count redeliveries exactly and leaves them out.
      const { key, group } = await stream(150);
      await redis.xreadgroup('GROUP', group, 'c1', 'COUNT', 150, 'STREAMS', key, '>');
      const store = new SignalStore();
      const watch = watchBacklog(redisStreamBacklogSource(redis, { stream: key, group }), { store });
      await watch.refresh();
      const text = renderExposition(store);
      expect(exported(store, 'eventscope_backlog_unsettled', { messaging_destination_name: key })).toBe(150);
      expect(text).not.toContain('eventscope_backlog_redelivered');
      await watch.stop();
    });

    it('drops the series of a field a later read leaves out, instead of exporting its last value', async () => {
      const { key, group } = await stream(150);
      await redis.xreadgroup('GROUP', group, 'c1', 'COUNT', 10, 'STREAMS', key, '>');
      const store = new SignalStore();
      const labels = { messaging_destination_name: key };
      const watch = watchBacklog(redisStreamBacklogSource(redis, { stream: key, group }), { store });
      await watch.refresh();
      expect(exported(store, 'eventscope_backlog_redelivered', labels)).toBe(0);
      // The PEL grows past what a read lists: redeliveries can no longer be told.
      await redis.xreadgroup('GROUP', group, 'c1', 'COUNT', 140, 'STREAMS', key, '>');
      await watch.refresh();
      expect(exported(store, 'eventscope_backlog_unsettled', labels)).toBe(150);
      expect(exported(store, 'eventscope_backlog_redelivered', labels)).toBeUndefined();
      // Told again: the series is back.
      const listed = (await redis.xpending(key, group, '-', '+', 100)) as [string][];
      await redis.xack(key, group, ...listed.map((e) => e[0]));
      await watch.refresh();
      expect(exported(store, 'eventscope_backlog_redelivered', labels)).toBe(0);
      await watch.stop();
    });
  },
);
