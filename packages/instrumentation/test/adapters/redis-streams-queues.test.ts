import { attributes } from '@eventscope/catalog';
import { needService } from '@eventscope/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  instrumentRedisStreams,
  instrumentStreamHandler,
  type StreamEntry,
} from '../../src/adapters/redis-streams.js';
import { SignalStore } from '../../src/store.js';
import { headerNames } from '../../src/types.js';
import { uniqueName } from './support/run-id.js';
import { counterTotal, histogramTotals, matching } from './support/series.js';

/**
 * Every way an entry reaches a stream — `xadd` on the client, queued on `pipeline()`, queued on
 * `multi()` — with ids Redis assigns (`*`) and ids the caller gives (times and non-times): each
 * entry counted once, failures by error type, and each entry's age right.
 */

const available = await needService('redis', 6379, 'redis-server --bind 127.0.0.1');
const base = { registry: false as const, runtime: false, slowThreshold: 0, tracing: false };
const N = 300;

describe.skipIf(!available)('Redis Streams: ids and queued XADD against redis-server', () => {
  const clients: Redis[] = [];
  const streams: string[] = [];
  const open = () => {
    const client = new Redis({ port: 6379, host: '127.0.0.1' });
    clients.push(client);
    return client;
  };
  const newStream = (prefix: string) => {
    const stream = uniqueName(prefix);
    streams.push(stream);
    return stream;
  };
  afterAll(async () => {
    if (streams.length > 0) await clients[0]?.del(...streams);
    for (const client of clients) client.disconnect();
  });

  /** Hand every entry of a stream to an instrumented handler, as an XREADGROUP loop would. */
  async function consumeAll(redis: Redis, store: SignalStore, stream: string): Promise<StreamEntry[]> {
    const entries = (await redis.xrange(stream, '-', '+')) as StreamEntry[];
    const handle = instrumentStreamHandler((_entry: StreamEntry) => {}, { ...base, store, stream });
    for (const entry of entries) handle(entry);
    return entries;
  }
  const labelsOf = (stream: string) => ({ [attributes.system]: 'redis', [attributes.destination]: stream });
  const hasCreatedField = (entry: StreamEntry) => entry[1].includes(headerNames.created);

  it('`*` ids through xadd, pipeline() and multi(): every entry counted once, aged from its id, no creation field', async () => {
    const store = new SignalStore();
    const redis = instrumentRedisStreams(open(), { ...base, store });
    const started = Date.now();
    const direct = newStream('es:direct');
    const piped = newStream('es:piped');
    const multi = newStream('es:multi');
    await Promise.all(Array.from({ length: N }, (_, i) => redis.xadd(direct, '*', 'n', `${i}`)));
    const pipeline = redis.pipeline();
    for (let i = 0; i < N; i++) pipeline.xadd(piped, '*', 'n', `${i}`);
    await pipeline.exec();
    const transaction = redis.multi();
    for (let i = 0; i < N; i++) transaction.xadd(multi, 'MAXLEN', '~', 10_000, '*', 'n', `${i}`);
    await transaction.exec();
    // Commands given as an array are queued through the instrumented xadd too.
    await redis.pipeline([['xadd', piped, '*', 'n', 'array']]).exec();
    await redis.multi([['xadd', multi, '*', 'n', 'array']]).exec();

    const consumer = open();
    for (const [stream, count] of [
      [direct, N],
      [piped, N + 1],
      [multi, N + 1],
    ] as const) {
      expect(counterTotal(store, 'sentMessages', labelsOf(stream)), stream).toBe(count);
      const entries = await consumeAll(consumer, store, stream);
      expect(entries.length).toBe(count);
      expect(entries.filter(hasCreatedField).length, 'entries with a creation field').toBe(0);
      const age = histogramTotals(store, 'eventAge', labelsOf(stream));
      expect(age.count).toBe(count);
      expect(age.mean).toBeGreaterThanOrEqual(0);
      expect(age.mean).toBeLessThan((Date.now() - started) / 1000 + 0.01);
    }
    expect(counterTotal(store, 'propagationErrors')).toBe(0);
  });

  it('explicit ids: a time is read as the creation time, a non-time falls back to the creation field', async () => {
    const store = new SignalStore();
    const redis = instrumentRedisStreams(open(), { ...base, store });
    const copied = newStream('es:copied');
    const numbered = newStream('es:numbered');
    const tenSecondsAgo = Date.now() - 10_000;
    const started = Date.now();
    const pipeline = redis.pipeline();
    for (let i = 0; i < N; i++) {
      pipeline.xadd(copied, `${tenSecondsAgo}-${i}`, 'n', `${i}`);
      pipeline.xadd(numbered, `${i + 1}-1`, 'n', `${i}`);
    }
    await pipeline.exec();

    const consumer = open();
    const copiedEntries = await consumeAll(consumer, store, copied);
    const numberedEntries = await consumeAll(consumer, store, numbered);
    const elapsed = (Date.now() - started) / 1000;
    expect(copiedEntries.every(hasCreatedField)).toBe(true);
    expect(numberedEntries.every(hasCreatedField)).toBe(true);
    const copiedAge = histogramTotals(store, 'eventAge', labelsOf(copied));
    expect(copiedAge.count).toBe(N);
    expect(copiedAge.mean).toBeGreaterThanOrEqual(10);
    expect(copiedAge.mean).toBeLessThan(10 + elapsed + 0.01);
    const numberedAge = histogramTotals(store, 'eventAge', labelsOf(numbered));
    expect(numberedAge.count).toBe(N);
    expect(numberedAge.mean).toBeLessThan(elapsed + 0.01);
    expect(counterTotal(store, 'propagationErrors')).toBe(0);
  });

  it('failed entries in pipeline() and multi() are counted as failures by error type, once each', async () => {
    const store = new SignalStore();
    const redis = instrumentRedisStreams(open(), { ...base, store });
    const good = newStream('es:good');
    const notAStream = newStream('es:string');
    await redis.set(notAStream, 'a string, not a stream');
    const failedOn = (stream: string) =>
      matching(store, 'sentMessages', labelsOf(stream))
        .filter((s) => s.values[s.values.length - 1] !== '')
        .map((s) => [s.values[s.values.length - 1], (s as { value: number }).value]);

    const pipeline = redis.pipeline().xadd(good, '*', 'n', '1').xadd(notAStream, '*', 'n', '2');
    pipeline.xadd(good, '*', 'n', '3');
    const piped = await pipeline.exec();
    expect(piped?.map(([error]) => error !== null)).toEqual([false, true, false]);
    // Inside EXEC: the WRONGTYPE entry fails, the others succeed.
    await redis.multi().xadd(good, '*', 'n', '4').xadd(notAStream, '*', 'n', '5').exec();
    // A transaction Redis discards (a malformed XADD is refused while queueing): every entry fails.
    const aborted = redis.multi().xadd(good, '*', 'n', '6');
    (aborted as unknown as { xadd: (...args: unknown[]) => unknown }).xadd(good, '*', 'odd');
    await aborted.exec().catch(() => {});

    expect(counterTotal(store, 'sentMessages', { ...labelsOf(good), [attributes.errorType]: '' })).toBe(3);
    expect(failedOn(notAStream)).toEqual([['ReplyError', 2]]);
    expect(failedOn(good)).toEqual([['ReplyError', 2]]);
    expect(await redis.xlen(good)).toBe(3);
  });
});
