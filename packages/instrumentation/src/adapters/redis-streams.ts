import type { BacklogOptions } from '../backlog.js';
import { BoundedMap } from '../bounded-map.js';
import { instrumentHandler } from '../handler.js';
import { instrumentProducer } from '../producer.js';
import { headerText, plausibleEpochMillis } from '../propagation.js';
import { defaultStore } from '../store.js';
import type { CarrierReader, CarrierWriter, HandlerOptions, ProducerOptions } from '../types.js';
import { millisFromStreamId } from './epoch.js';
import { type AdapterOptions, commonOptions } from './options.js';
import { patchMethod } from './patch.js';
import { streamGroupWatcher } from './redis-backlog.js';
import { instrumentQueues, type QueuedXadd, queuedOutcome } from './redis-pipeline.js';
import { SettleTargets } from './settle.js';

/**
 * Redis Streams through `ioredis`.
 *
 * - `instrumentRedisStreams(redis)` instruments, in place, `xadd` — called on the client, or queued
 *   on its `pipeline()` or `multi()` (redis-pipeline.ts) — as a send (trace context is appended as
 *   fields of the entry) and `xack` (settle outcome `ack`, one per acknowledged id, labelled with
 *   the stream and the group).
 * - `instrumentStreamHandler(handler, { stream, consumerGroup })` wraps the handler your
 *   XREADGROUP loop calls for each entry, `handler([id, fields], …)` — the entry exactly as
 *   ioredis returns it. Event age comes from the entry id's millisecond timestamp, which Redis
 *   assigns when the entry is added with the id `*`. So the creation-time field is written only
 *   for an explicit id, which may not be a time: there the consumer reads the id's time when it is
 *   a plausible one (a copied entry keeps its original time), else the field.
 * - `xreadgroup` is watched, not changed: each (stream, group) it reads has its backlog read from
 *   Redis on collection (redis-backlog.ts), unless `backlog: false`.
 */

export const REDIS_SYSTEM = 'redis';
export {
  PENDING_SCAN,
  type RedisBacklogClient,
  type RedisStreamBacklogSourceOptions,
  redisStreamBacklogSource,
} from './redis-backlog.js';

/** A stream entry as `xread`/`xreadgroup` return it: `[id, [field, value, field, value, …]]`. */
export type StreamEntry = [id: string, fields: string[]];
type AnyStreamEntry = readonly [id: string | Buffer, fields: readonly (string | Buffer)[]];

export interface RedisStreamsOptions extends AdapterOptions {
  /** `messaging.destination.name` for a stream key; default the key. */
  destination?: (stream: string) => string;
  /**
   * Read the backlog of every (stream, consumer group) this client's XREADGROUP reads: Redis's
   * lag, pending entries, consumers, the oldest undelivered entry's age and redeliveries, at most
   * once per `intervalMs` on collection. Default on (`{}`); `false` turns it off.
   */
  backlog?: false | BacklogOptions;
}

export interface StreamHandlerOptions<E extends AnyStreamEntry = StreamEntry> extends AdapterOptions {
  /** The stream the entries come from: a key, or a function of the entry. */
  stream: string | ((entry: E) => string);
  /** Which handler argument is the entry (default 0). */
  entryArgument?: number;
}

interface StreamClient {
  xadd: (...args: never[]) => unknown;
  xack: (...args: never[]) => unknown;
}

const fieldReader: CarrierReader<AnyStreamEntry, readonly (string | Buffer)[]> = {
  carrier: (entry) => entry[1],
  get: (fields, key) => {
    for (let i = 0; i + 1 < fields.length; i += 2)
      if (headerText(fields[i]) === key) return headerText(fields[i + 1]);
    return undefined;
  },
};

/**
 * XADD's arguments end with the entry's field/value pairs (then, optionally, a callback), so
 * eventscope's fields are inserted before the callback. Nothing is copied: the argument list
 * the wrapper hands over is its own array, not the caller's.
 */
interface XaddCarrier {
  args: unknown[];
}
const fieldWriter: CarrierWriter<unknown[], XaddCarrier> = {
  carrier: (args) => ({ args }),
  set: ({ args }, key, value) => {
    const last = args.length - 1;
    if (typeof args[last] === 'function') args.splice(last, 0, key, value);
    else args.push(key, value);
  },
  get: ({ args }, key) => {
    // Field/value pairs are at the tail: walk back over them pairwise.
    let end = args.length;
    if (typeof args[end - 1] === 'function') end--;
    for (let i = end - 2; i >= 2; i -= 2) if (headerText(args[i]) === key) return headerText(args[i + 1]);
    return undefined;
  },
};

const keyText = (key: unknown) => headerText(key) ?? String(key);

/** XADD's options before the id, with the number of arguments each takes after its name. */
const xaddOptions: Readonly<Record<string, number>> = { NOMKSTREAM: 0, MAXLEN: 1, MINID: 1, LIMIT: 1 };

/** The id argument of an XADD call: `key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] id …`. */
function xaddId(args: readonly unknown[]): string | undefined {
  let i = 1;
  for (;;) {
    const word = headerText(args[i])?.toUpperCase();
    const takes = word === undefined ? undefined : xaddOptions[word];
    if (takes === undefined) return headerText(args[i]);
    i++;
    if (word !== 'NOMKSTREAM' && word !== 'LIMIT' && (args[i] === '=' || args[i] === '~')) i++;
    i += takes;
  }
}

/** Redis stamps an entry added with the id `*`; any other id is the caller's. */
const idByRedis = (args: unknown[]) => xaddId(args) === '*';

/** Instrument `xadd` and `xack` of an ioredis client (or cluster), in place. */
export function instrumentRedisStreams<R extends StreamClient>(
  redis: R,
  options: RedisStreamsOptions = {},
): R {
  const common = commonOptions(options, REDIS_SYSTEM);
  const destination = (key: unknown) => options.destination?.(keyText(key)) ?? keyText(key);
  const producerOptions: ProducerOptions<unknown[]> = {
    ...common,
    operationName: 'xadd',
    destination: (args) => destination(args[0]),
    carrier: fieldWriter,
    creationHeader: (args) => !idByRedis(args),
  };
  patchMethod(redis, 'xadd', (original) => instrumentProducer(original, producerOptions));
  instrumentQueues(redis, queuedXadd(producerOptions));

  // One settle-target set per consumer group seen in XACK calls, as many as the budget allows.
  const byGroup = new BoundedMap<SettleTargets>(
    (options.store ?? defaultStore).destinationBudget,
    (group) => new SettleTargets(common.system, group, options.store),
  );
  patchMethod(
    redis,
    'xack',
    (original) =>
      function xack(this: R, key: unknown, group: unknown, ...ids: unknown[]) {
        // Recorded when the acknowledgement is issued: waiting for Redis' answer would mean
        // attaching to the caller's promise, which would change how an unhandled failure surfaces.
        const targets = byGroup.get(keyText(group));
        targets.guard(() => {
          let count = 0;
          for (const id of ids) if (typeof id !== 'function') count += Array.isArray(id) ? id.length : 1;
          targets.get(destination(key)).settle('ack', 'xack', undefined, count);
        });
        return original.call(this, key, group, ...ids);
      },
  );
  if (options.backlog !== false) watchReadGroups(redis, options.backlog ?? {}, options, common.system);
  return redis;
}

/** Patch `xreadgroup` (and `xreadgroupBuffer`) to see which groups the client reads; the call is unchanged. */
function watchReadGroups(
  redis: object,
  backlog: BacklogOptions,
  options: RedisStreamsOptions,
  system: string,
) {
  const observe = streamGroupWatcher(redis, {
    backlog,
    store: options.store,
    system,
    destination: (key) => options.destination?.(key) ?? key,
  });
  for (const name of ['xreadgroup', 'xreadgroupBuffer'])
    patchMethod(
      redis,
      name,
      (original) =>
        function xreadgroup(this: unknown, ...args: unknown[]) {
          observe(args);
          return original.apply(this, args);
        },
    );
}

/**
 * The `xadd` of a pipeline or MULTI queue: one instrumented send per queued entry, whose outcome
 * is the entry's own reply (see redis-pipeline.ts). The send function is made once per client; the
 * queue's original `xadd` is handed to it through `pending`, as the call is synchronous.
 */
function queuedXadd(producerOptions: ProducerOptions<unknown[]>): QueuedXadd {
  const pending: { original?: (...args: unknown[]) => unknown; returned?: unknown } = {};
  const send = instrumentProducer(function (this: { length: number }, ...args: unknown[]) {
    const position = this.length;
    pending.returned = pending.original!.apply(this, args);
    return queuedOutcome(this, position);
  }, producerOptions);
  return function (original, args) {
    pending.original = original;
    try {
      send.apply(this, args);
      return pending.returned;
    } finally {
      pending.original = undefined;
      pending.returned = undefined;
    }
  };
}

/** The creation time an entry id says, when it is a plausible one; else undefined (the field is read). */
const createdFromId = (id: unknown) => {
  const ms = millisFromStreamId(id);
  return ms === undefined ? undefined : plausibleEpochMillis(ms);
};

/** Wrap the handler an XREADGROUP loop calls per entry. */
export function instrumentStreamHandler<
  H extends (...args: never[]) => unknown,
  E extends AnyStreamEntry = StreamEntry,
>(handler: H, options: StreamHandlerOptions<E>): H {
  const stream = options.stream;
  const handlerOptions: HandlerOptions<E> = {
    ...commonOptions(options, REDIS_SYSTEM),
    destination: stream,
    messageArgument: options.entryArgument ?? 0,
    carrier: fieldReader,
    createdAt: (entry) => createdFromId(entry[0]),
  };
  if (options.consumerGroup !== undefined) handlerOptions.consumerGroup = options.consumerGroup;
  if (options.slowThreshold !== undefined) handlerOptions.slowThreshold = options.slowThreshold;
  return instrumentHandler(handler, handlerOptions);
}
