import { attributes } from '@eventscope/catalog';
import { needService } from '@eventscope/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instrumentRedisStreams,
  instrumentStreamHandler,
  type StreamEntry,
} from '../../src/adapters/redis-streams.js';
import { SignalStore } from '../../src/store.js';
import { consume } from './support/redis-consumer.js';
import { uniqueName } from './support/run-id.js';
import { countAbove, counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const available = await needService('redis', 6379, 'redis-server --bind 127.0.0.1');
const N = 10_000;
const base = { registry: false as const, runtime: false, slowThreshold: 0 };

describe.skipIf(!available)('Redis Streams adapter against redis-server on 127.0.0.1:6379', () => {
  let spans: ReturnType<typeof recordSpans>;
  const clients: Redis[] = [];
  const open = (port = 6379) => {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      maxRetriesPerRequest: null,
      retryStrategy: () => 100,
    });
    client.on('error', () => {}); // connection cuts are part of the test
    clients.push(client);
    return client;
  };
  beforeAll(() => {
    spans = recordSpans();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await spans.stop();
  });

  it('N events XADD → XREADGROUP handler → XACK: exact counts, age from the entry id, span parentage', async () => {
    const store = new SignalStore();
    const stream = uniqueName('es:orders');
    const producer = instrumentRedisStreams(open(), { ...base, store });
    const consumer = instrumentRedisStreams(open(), { ...base, store });
    await consumer.xgroup('CREATE', stream, 'billing', '$', 'MKSTREAM');
    try {
      const started = Date.now();
      for (let i = 0; i < N; i += 1000) {
        await Promise.all(
          Array.from({ length: 1000 }, (_, j) => producer.xadd(stream, '*', 'n', `${i + j}`)),
        );
      }
      const received = new Set<string>();
      const handle = instrumentStreamHandler(
        (entry: StreamEntry) => {
          received.add(entry[1][1]!);
        },
        { ...base, store, stream, consumerGroup: 'billing' },
      );
      await consume(consumer, stream, 'billing', handle, () => received.size === N);
      const elapsed = (Date.now() - started) / 1000;

      const labels = { [attributes.system]: 'redis', [attributes.destination]: stream };
      expect(counterTotal(store, 'sentMessages', labels)).toBe(N);
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(N);
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'ack' })).toBe(N);
      expect(histogramTotals(store, 'eventAge', labels).count).toBe(N);
      expect(countAbove(store, 'eventAge', labels, elapsed + 1)).toBe(0);
      expect(consumerParentage(await spans.finished(), 'redis')).toMatchObject({
        producers: N,
        consumers: N,
        withProducerParent: N,
        sharedParents: 0,
      });
    } finally {
      await producer.del(stream);
    }
  });

  it('through a cut connection: the instrumented consumer receives exactly what a bare one does', async () => {
    const store = new SignalStore();
    const stream = uniqueName('es:cut');
    const admin = open();
    await admin.xgroup('CREATE', stream, 'bare', '$', 'MKSTREAM');
    await admin.xgroup('CREATE', stream, 'instrumented', '$');
    const total = 3000;
    try {
      for (let i = 0; i < total; i += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, j) => admin.xadd(stream, '*', 'n', `${i + j}`)));
      }
      const run = async (group: string, instrument: boolean) => {
        const proxy = await startTcpProxy(6379);
        const client = open(proxy.port);
        const redis = instrument ? instrumentRedisStreams(client, { ...base, store }) : client;
        const seen = new Set<string>();
        let cut = false;
        const body = (entry: StreamEntry) => {
          seen.add(entry[1][1]!);
          if (!cut && seen.size >= total / 2) {
            cut = true;
            proxy.cut();
            setTimeout(() => proxy.resume(), 300);
          }
        };
        const handle = instrument
          ? instrumentStreamHandler(body, { ...base, store, stream, consumerGroup: group })
          : body;
        await consume(redis, stream, group, handle, () => seen.size === total);
        await proxy.close();
        return seen;
      };
      const [bare, instrumented] = await Promise.all([run('bare', false), run('instrumented', true)]);
      expect(bare.size).toBe(total);
      expect([...instrumented].sort()).toEqual([...bare].sort());
      expect(counterTotal(store, 'instrumentationErrors')).toBe(0);
    } finally {
      await admin.del(stream);
    }
  });
});
