import { type BacklogOptions, type BacklogReading, type BacklogSource, watchBacklog } from '../backlog.js';
import { reportFault } from '../faults.js';
import { headerText, plausibleEpochMillis } from '../propagation.js';
import { defaultStore, type SignalStore } from '../store.js';
import { millisFromStreamId } from './epoch.js';

/**
 * The backlog of a Redis Streams consumer group, read on the user's ioredis client: one round
 * trip of `XINFO GROUPS <stream>` and `XPENDING <stream> <group> - + 100` pipelined, then — only
 * when something may wait — `XRANGE <stream> (<last-delivered-id> + COUNT 1` for the oldest entry
 * not delivered to the group yet.
 *
 * - waiting: the group's `lag` (Redis ≥ 7). Redis reports it as nil when it cannot tell (entries
 *   deleted from the middle of the stream, or an id set by XGROUP SETID): then waiting is left
 *   out, unless the XRANGE shows nothing after the last delivered id, which is an exact 0.
 * - unsettled: the group's `pending` (its PEL); consumers: the group's `consumers`.
 * - oldestAgeSeconds: now − the millisecond time of the oldest undelivered entry's id; 0 when
 *   nothing waits; left out when that id is not a plausible time (an explicit id).
 * - redelivered: the PEL entries delivered more than once. Redis keeps the delivery count per
 *   entry and has no count of them, so the PEL is listed with a bound of 100 entries: when it holds
 *   fewer, the count is exact; when it holds more, it is left out rather than exported as the
 *   lower bound it would be.
 */

/** The PEL entries listed per read to count redeliveries; a longer PEL leaves `redelivered` out. */
export const PENDING_SCAN = 100;

type Reply = [error: Error | null, result: unknown];
interface Pipeline {
  call(command: string, ...args: unknown[]): Pipeline;
  exec(): Promise<Reply[] | null>;
}
/** What a read uses of an ioredis client or cluster. */
interface ReadClient {
  call(command: string, ...args: unknown[]): Promise<unknown>;
  pipeline(): Pipeline;
}
/** An ioredis `Redis` or `Cluster` (typed loosely: their overloads do not fit a structural type). */
export interface RedisBacklogClient {
  pipeline: (...args: never[]) => unknown;
}

export interface RedisStreamBacklogSourceOptions {
  /** The stream key. */
  stream: string | Buffer;
  /** The consumer group. */
  group: string | Buffer;
  /** `messaging.destination.name`; default the key. */
  destination?: string;
  /** `messaging.system`; default `redis`. */
  system?: string;
}

const numberOf = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** The named group's fields from an `XINFO GROUPS` reply (a list of flat key/value lists). */
function groupInfo(reply: unknown, group: string): Map<string, unknown> | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(headerText(entry[i])), entry[i + 1]);
    if (headerText(fields.get('name')) === group) return fields;
  }
  return undefined;
}

/** Redeliveries in an `XPENDING … - + COUNT` reply, when it lists the whole PEL; else undefined. */
function redeliveries(reply: Reply | undefined, pending: number | undefined): number | undefined {
  if (!reply || reply[0] || !Array.isArray(reply[1])) return undefined;
  const entries = reply[1] as unknown[];
  if (entries.length >= PENDING_SCAN && entries.length !== pending) return undefined;
  let count = 0;
  for (const entry of entries) if (Array.isArray(entry) && (numberOf(entry[3]) ?? 0) > 1) count++;
  return count;
}

type Reading = { -readonly [F in keyof BacklogReading]: BacklogReading[F] };

/**
 * Nothing waits: the lag in time is 0, which Redis does tell. (Left out, the gauge would keep the
 * age of the last entry that waited, and a drained group would look behind for ever.)
 */
function nothingWaits(reading: Reading): Reading {
  reading.waiting = 0;
  reading.oldestAgeSeconds = 0;
  return reading;
}

/** One read of a group's backlog: one round trip, two when something may wait. */
async function readGroup(
  redis: ReadClient,
  key: string | Buffer,
  group: string | Buffer,
): Promise<BacklogReading> {
  const groupName = String(headerText(group));
  const replies = await redis
    .pipeline()
    .call('XINFO', 'GROUPS', key)
    .call('XPENDING', key, group, '-', '+', PENDING_SCAN)
    .exec();
  const info = replies?.[0];
  if (!info) throw new Error('the XINFO GROUPS pipeline returned nothing');
  if (info[0]) throw info[0];
  const fields = groupInfo(info[1], groupName);
  if (!fields) throw new Error(`stream ${String(headerText(key))} has no consumer group ${groupName}`);
  const pending = numberOf(fields.get('pending'));
  const reading: Reading = {
    unsettled: pending,
    consumers: numberOf(fields.get('consumers')),
    redelivered: redeliveries(replies[1], pending),
    waiting: numberOf(fields.get('lag')),
  };
  if (reading.waiting === 0) return nothingWaits(reading);
  const lastDelivered = String(headerText(fields.get('last-delivered-id')) ?? '0-0');
  const next = await redis.call('XRANGE', key, `(${lastDelivered}`, '+', 'COUNT', 1);
  const first = Array.isArray(next) && Array.isArray(next[0]) ? next[0][0] : undefined;
  // Nothing after the last delivered id: an exact 0, even where `lag` is nil.
  if (first === undefined) return nothingWaits(reading);
  const ms = millisFromStreamId(first);
  const created = ms === undefined ? undefined : plausibleEpochMillis(ms);
  if (created !== undefined) reading.oldestAgeSeconds = Math.max(0, (Date.now() - created) / 1000);
  return reading;
}

/**
 * A source reading one group through `connection()`. At most one read is outstanding: a read
 * abandoned on timeout keeps its commands queued in the client (offline queue, a blocked
 * connection), so the next one is refused — counted — until Redis answers, and a broker that is
 * down for an hour holds one read, not 360.
 */
function groupSource(
  connection: () => ReadClient,
  options: RedisStreamBacklogSourceOptions,
  close?: () => void,
): BacklogSource {
  const keyName = String(headerText(options.stream));
  let outstanding = false;
  const source: BacklogSource = {
    system: options.system ?? 'redis',
    destination: options.destination ?? keyName,
    consumerGroup: String(headerText(options.group)),
    async read() {
      if (outstanding) throw new Error(`the previous backlog read of stream ${keyName} is still unanswered`);
      outstanding = true;
      try {
        return await readGroup(connection(), options.stream, options.group);
      } finally {
        outstanding = false;
      }
    },
  };
  if (close) Object.assign(source, { close });
  return source;
}

/**
 * A `BacklogSource` for one stream and consumer group, read on `redis` (which it does not close):
 * for `watchBacklog`, e.g. to watch a group consumed in another process. The adapter makes these
 * itself for the groups it sees read.
 */
export function redisStreamBacklogSource(
  redis: RedisBacklogClient,
  options: RedisStreamBacklogSourceOptions,
): BacklogSource {
  const client = redis as unknown as ReadClient;
  return groupSource(() => client, options);
}

interface EventClient {
  duplicate?: () => EventClient;
  disconnect?: () => void;
  on?: (event: string, listener: (...args: unknown[]) => void) => unknown;
}

/**
 * The connection reads go on: the user's client, unless its XREADGROUP blocks (`BLOCK`) — Redis
 * answers a connection's commands in order, so a read behind a blocked XREADGROUP would wait for
 * it, and the user's next XREADGROUP behind the read. Then reads go on one `duplicate()` of the
 * client (same options), made at the first read and disconnected when the last watch stops.
 */
class ReadConnection {
  blocking = false;
  users = 0;
  private own: EventClient | undefined;

  constructor(private readonly user: EventClient) {}

  get(): ReadClient {
    if (!this.blocking || typeof this.user.duplicate !== 'function')
      return this.user as unknown as ReadClient;
    if (!this.own) {
      this.own = this.user.duplicate();
      this.own.on?.('error', () => {}); // a read fails and is counted; the event need not be logged
    }
    return this.own as unknown as ReadClient;
  }

  release(): void {
    if (--this.users > 0 || !this.own) return;
    this.own.disconnect?.();
    this.own = undefined;
  }
}

export interface StreamGroupWatchOptions {
  backlog: BacklogOptions;
  store: SignalStore | undefined;
  system: string;
  destination: (key: string) => string;
}

/** XREADGROUP's options between the consumer name and STREAMS, with the arguments each takes. */
const readGroupOptions: Readonly<Record<string, number>> = { COUNT: 1, BLOCK: 1, NOACK: 0, CLAIM: 1 };

/** The group, the stream keys and whether it blocks, from XREADGROUP's arguments; else undefined. */
export function parseReadGroup(
  args: readonly unknown[],
): { group: string | Buffer; keys: (string | Buffer)[]; blocks: boolean } | undefined {
  const flat = args.flat(2).filter((a) => typeof a !== 'function');
  if (headerText(flat[0])?.toUpperCase() !== 'GROUP' || flat.length < 6) return undefined;
  const group = flat[1] as string | Buffer;
  let blocks = false;
  let i = 3;
  for (;;) {
    const word = headerText(flat[i])?.toUpperCase();
    if (word === 'STREAMS') break;
    const takes = word === undefined ? undefined : readGroupOptions[word];
    if (takes === undefined) return undefined;
    if (word === 'BLOCK') blocks = true;
    i += 1 + takes;
  }
  const rest = flat.slice(i + 1);
  if (rest.length === 0 || rest.length % 2 !== 0) return undefined;
  return { group, keys: rest.slice(0, rest.length / 2) as (string | Buffer)[], blocks };
}

/**
 * The groups an instrumented client reads: `observe(args)` is given each XREADGROUP's arguments
 * and watches every (stream, group) it has not seen, up to the store's destination budget. The
 * watches stop with `stopBacklogWatches()`, or when the client ends (`quit()`, retries exhausted).
 */
export function streamGroupWatcher(
  redis: object,
  options: StreamGroupWatchOptions,
): (args: unknown[]) => void {
  const store = options.backlog.store ?? options.store ?? defaultStore;
  const connection = new ReadConnection(redis as EventClient);
  const watches = new Map<string, { stop(): Promise<void> }>();
  (redis as EventClient).on?.('end', () => {
    for (const watch of watches.values()) void watch.stop();
    watches.clear();
  });
  return (args) => {
    try {
      const call = parseReadGroup(args);
      if (!call) return;
      if (call.blocks) connection.blocking = true;
      for (const key of call.keys) {
        const id = `${String(headerText(key))}\u0000${String(headerText(call.group))}`;
        if (watches.has(id) || watches.size >= store.destinationBudget) continue;
        connection.users++;
        const source = groupSource(
          () => connection.get(),
          {
            stream: key,
            group: call.group,
            destination: options.destination(String(headerText(key))),
            system: options.system,
          },
          () => connection.release(),
        );
        watches.set(id, watchBacklog(source, { ...options.backlog, store }));
      }
    } catch (error) {
      reportFault('backlog', error, store);
    }
  };
}
