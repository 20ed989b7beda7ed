import type { Redis } from 'ioredis';
import type { StreamEntry } from '../../../src/adapters/redis-streams.js';
import { sleep } from './run-id.js';

export type ReadGroupReply = [stream: string, entries: StreamEntry[]][] | null;

/** The consumer loop users write: XREADGROUP (pending first, then new) with BLOCK, handle, XACK. */
export async function consume(
  redis: Redis,
  stream: string,
  group: string,
  handle: (entry: StreamEntry) => unknown,
  until: () => boolean,
): Promise<void> {
  let cursor = '0';
  while (!until()) {
    let reply: ReadGroupReply;
    try {
      reply = (await redis.xreadgroup(
        'GROUP',
        group,
        'c1',
        'COUNT',
        500,
        'BLOCK',
        200,
        'STREAMS',
        stream,
        cursor,
      )) as ReadGroupReply;
    } catch {
      await sleep(100);
      cursor = '0';
      continue;
    }
    const entries = reply?.[0]?.[1] ?? [];
    if (cursor === '0' && entries.length === 0) cursor = '>';
    for (const entry of entries) {
      await handle(entry);
      await redis.xack(stream, group, entry[0]).catch(() => {});
    }
  }
}
