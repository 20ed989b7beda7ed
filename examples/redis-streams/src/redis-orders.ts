import { setTimeout as sleep } from 'node:timers/promises';
import { decodeOrder, encodeOrder, Ledger, type OrderFlow } from '@eventscope/example-order-kit';
import {
  instrumentRedisStreams,
  instrumentStreamHandler,
  type StreamEntry,
} from '@eventscope/instrumentation/redis-streams';
import { Redis } from 'ioredis';

export interface RedisOrdersOptions {
  /** Redis URL. */
  url: string;
  /** The stream key the example writes to, and deletes when it stops. */
  stream: string;
  /** The consumer group billing reads through: `messaging.consumer.group.name`. */
  group: string;
  /** This consumer's name within the group. */
  consumer: string;
}

type ReadGroupReply = [stream: string, entries: StreamEntry[]][] | null;

/** How long one XREADGROUP waits for new entries: also how long stopping can take. */
const BLOCK_MS = 500;
const RETRY_MS = 200;

/** The producer's and the consumer's connections, connected, and the consumer group created. */
async function connectClients(options: RedisOrdersOptions) {
  const connectOptions = { lazyConnect: true, maxRetriesPerRequest: 1 };
  const producer = instrumentRedisStreams(new Redis(options.url, connectOptions));
  // XREADGROUP ... BLOCK holds its connection; billing reads and acks on its own.
  const consumer = instrumentRedisStreams(new Redis(options.url, connectOptions));
  // ioredis reconnects by itself; its errors are reported, not thrown (an unheard one would be).
  let lastError: Error | undefined;
  let started = false;
  for (const client of [producer, consumer]) {
    client.on('error', (error: Error) => {
      if (started && error.message !== lastError?.message) process.stderr.write(`redis: ${error.message}\n`);
      lastError = error;
    });
  }
  try {
    await producer.connect();
    await consumer.connect();
    await producer.xgroup('CREATE', options.stream, options.group, '$', 'MKSTREAM');
    started = true;
  } catch (error) {
    producer.disconnect();
    consumer.disconnect();
    throw lastError ?? error;
  }
  return { producer, consumer };
}

type Consumer = Awaited<ReturnType<typeof connectClients>>['consumer'];

/** Bills the order an entry carries into `ledger`. */
function billingHandler(ledger: Ledger, options: RedisOrdersOptions) {
  return instrumentStreamHandler(
    (entry: StreamEntry) => {
      const [, fields] = entry;
      const order = fields[fields.indexOf('order') + 1];
      if (order !== undefined) ledger.bill(decodeOrder(order));
    },
    { stream: options.stream, consumerGroup: options.group },
  );
}

/**
 * Reads this consumer's pending entries first ('0': delivered before but never acked, after a
 * lost connection), then new ones ('>'). A failed read is retried; the client reconnects.
 */
async function readOrders(
  consumer: Consumer,
  options: RedisOrdersOptions,
  bill: (entry: StreamEntry) => void,
  stopping: () => boolean,
): Promise<void> {
  let cursor = '0';
  while (!stopping()) {
    let reply: ReadGroupReply;
    try {
      reply = (await consumer.xreadgroup(
        'GROUP',
        options.group,
        options.consumer,
        'COUNT',
        100,
        'BLOCK',
        BLOCK_MS,
        'STREAMS',
        options.stream,
        cursor,
      )) as ReadGroupReply;
    } catch {
      cursor = '0';
      await sleep(RETRY_MS);
      continue;
    }
    const entries = reply?.[0]?.[1] ?? [];
    if (cursor === '0' && entries.length === 0) cursor = '>';
    for (const entry of entries) {
      try {
        bill(entry);
      } catch (error) {
        // Not an order: acknowledged anyway, or it would come back forever.
        process.stderr.write(`skipping entry ${entry[0]}: ${(error as Error).message}\n`);
      }
      await consumer.xack(options.stream, options.group, entry[0]).catch(() => {});
    }
  }
}

/**
 * Orders through a Redis stream. The instrumented lines are `instrumentRedisStreams(redis)` on
 * both connections (XADD: trace context and creation time as fields of the entry, sent count and
 * duration; XACK: a settle) and `instrumentStreamHandler(bill, …)` (every entry the XREADGROUP
 * loop hands over: processing time, consumed count, event age from the entry id's milliseconds).
 */
export async function startRedisOrders(options: RedisOrdersOptions): Promise<OrderFlow> {
  const { producer, consumer } = await connectClients(options);
  const ledger = new Ledger();
  const bill = billingHandler(ledger, options);
  let stopping = false;
  const readLoop = readOrders(consumer, options, bill, () => stopping);

  return {
    route: `stream ${options.stream}, group ${options.group}, consumer ${options.consumer}`,
    publish: (order) => producer.xadd(options.stream, '*', 'order', encodeOrder(order)),
    ledger,
    close: async () => {
      stopping = true;
      try {
        await readLoop;
        await producer.del(options.stream);
      } finally {
        await Promise.allSettled([producer.quit(), consumer.quit()]);
      }
    },
  };
}
