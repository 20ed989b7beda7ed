import type { Channel, Replies } from 'amqplib';
import {
  type BacklogOptions,
  type BacklogReading,
  type BacklogSource,
  type BacklogWatch,
  watchBacklog,
} from '../backlog.js';
import { reportFault } from '../faults.js';
import type { SignalStore } from '../store.js';

/**
 * The backlog of the queues an instrumented channel consumes, as RabbitMQ tells it over AMQP:
 * `checkQueue(queue)` (a passive queue.declare) answers the queue's ready messages and its
 * consumers. AMQP has no way to ask for unacked messages or the oldest message's age (only the
 * management plugin's HTTP API knows them), so those are left out.
 *
 * A failed `checkQueue` (the queue is gone) closes the channel it ran on, so the check never runs
 * on the user's channel: each watched queue gets a channel of eventscope's own on the same
 * connection, opened on the first read (nobody collecting: no channel), reopened on the next
 * read after a failure, closed when watching stops. At most one check per queue is outstanding:
 * while the broker has not answered, a read fails at once instead of piling up requests.
 */

/** Opens a channel of eventscope's own next to the user's one. */
export type ChannelOpener = () => Promise<Channel>;

type ChannelClass = new (connection: unknown) => Channel & { open(): Promise<unknown> };

/**
 * A channel opened the way amqplib's `ChannelModel.createChannel` opens one (a new channel of
 * the same class on the same connection): amqplib's `channel.connection` is the raw connection,
 * which has no `createChannel` of its own. Undefined when the channel is not one of amqplib's
 * promise-API channels (the callback API's `open` and `checkQueue` take callbacks).
 */
export function siblingChannelOpener(channel: Channel): ChannelOpener | undefined {
  const Class = (channel as { constructor?: unknown }).constructor;
  const connection = (channel as { connection?: unknown }).connection;
  if (typeof Class !== 'function' || connection === undefined || connection === null) return undefined;
  const proto = Class.prototype as Partial<Record<'open' | 'checkQueue', unknown>> | undefined;
  if (typeof proto?.open !== 'function' || proto.open.length !== 0) return undefined;
  if (typeof proto.checkQueue !== 'function' || proto.checkQueue.length !== 1) return undefined;
  const Sibling = Class as ChannelClass;
  return async () => {
    const own = new Sibling(connection);
    // The broker closing this channel (a missing queue) is emitted as 'error': without a
    // listener the emit would throw inside amqplib's frame handling, on the user's connection.
    own.on('error', () => {});
    await own.open();
    return own;
  };
}

/** One queue watched through channels of eventscope's own. */
export class RabbitQueueSource implements BacklogSource {
  private own: Promise<Channel> | undefined;
  private pending = false;
  private closed = false;

  constructor(
    private readonly open: ChannelOpener,
    readonly queue: string,
    readonly system: string,
    readonly destination: string,
    readonly consumerGroup: string | undefined,
    private readonly onClose: () => void = () => {},
  ) {}

  async read(): Promise<BacklogReading> {
    if (this.closed) throw new Error(`backlog of ${this.queue}: no longer watched`);
    if (this.pending)
      throw new Error(`backlog of ${this.queue}: the previous checkQueue is still unanswered`);
    this.pending = true;
    try {
      const ok: Replies.AssertQueue = await this.check();
      return { waiting: ok.messageCount, consumers: ok.consumerCount };
    } finally {
      this.pending = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    const own = this.own;
    this.own = undefined;
    // Not awaited: closing waits for the broker, and stopping must not hang on a slow one.
    own?.then(closeQuietly, () => {});
  }

  private async check(): Promise<Replies.AssertQueue> {
    const opening = this.channel();
    const channel = await opening;
    try {
      return await channel.checkQueue(this.queue);
    } catch (error) {
      // The broker closed it (404), or the connection went: open a fresh one next time.
      if (this.own === opening) this.own = undefined;
      closeQuietly(channel);
      throw error;
    }
  }

  private channel(): Promise<Channel> {
    if (this.own) return this.own;
    const opening = this.open().then((channel) => {
      channel.on('close', () => {
        if (this.own === opening) this.own = undefined;
      });
      if (this.closed) closeQuietly(channel);
      return channel;
    });
    opening.catch(() => {
      if (this.own === opening) this.own = undefined;
    });
    this.own = opening;
    return opening;
  }
}

function closeQuietly(channel: Channel): void {
  try {
    channel.close().catch(() => {});
  } catch {
    // already closed
  }
}

/** A watched queue and the consumers (of any instrumented channel on the connection) that keep it watched. */
interface Entry {
  readonly watch: BacklogWatch;
  readonly holders: Set<object>;
  done: boolean;
  /** Leave the registry now, so a new consumer of the queue starts a new watch. */
  retire(): void;
}

/** Watched queues per connection, so two channels consuming one queue make one check per interval. */
const watchedByConnection = new WeakMap<object, Map<string, Entry>>();
const storeIds = new WeakMap<SignalStore, number>();
let nextStoreId = 1;

function storeId(store: SignalStore | undefined): number {
  if (!store) return 0;
  let id = storeIds.get(store);
  if (id === undefined) storeIds.set(store, (id = nextStoreId++));
  return id;
}

export interface QueueLabels {
  readonly queue: string;
  readonly system: string;
  readonly destination: string;
  readonly consumerGroup: string | undefined;
}

/**
 * The consumers of one instrumented channel and the queue watches they hold: a consumer holds
 * its queue's watch from `consume` until `cancel`, a broker cancel, or the channel's close.
 */
export class ChannelBacklog {
  private readonly byTag = new Map<string, { entry: Entry; holder: object }>();
  private channelClosed = false;

  constructor(
    private readonly connection: object,
    private readonly open: ChannelOpener,
    private readonly options: BacklogOptions,
  ) {}

  consumed(labels: QueueLabels, consumerTag: string): void {
    if (this.channelClosed || this.byTag.has(consumerTag)) return;
    const entry = this.entry(labels);
    const holder = {};
    entry.holders.add(holder);
    this.byTag.set(consumerTag, { entry, holder });
  }

  cancelled(consumerTag: string): void {
    const held = this.byTag.get(consumerTag);
    if (!held) return;
    this.byTag.delete(consumerTag);
    held.entry.holders.delete(held.holder);
    if (held.entry.holders.size > 0) return;
    held.entry.retire();
    void held.entry.watch.stop();
  }

  channelClose(): void {
    this.channelClosed = true;
    for (const tag of [...this.byTag.keys()]) this.cancelled(tag);
  }

  private entry(labels: QueueLabels): Entry {
    let entries = watchedByConnection.get(this.connection);
    if (!entries) watchedByConnection.set(this.connection, (entries = new Map()));
    const key = JSON.stringify([
      storeId(this.options.store),
      labels.queue,
      labels.system,
      labels.destination,
      labels.consumerGroup ?? null,
    ]);
    const existing = entries.get(key);
    if (existing && !existing.done) return existing;
    const retire = () => {
      entry.done = true;
      if (entries.get(key) === entry) entries.delete(key);
    };
    const source = new RabbitQueueSource(
      this.open,
      labels.queue,
      labels.system,
      labels.destination,
      labels.consumerGroup,
      retire,
    );
    const entry: Entry = {
      watch: watchBacklog(source, this.options),
      holders: new Set(),
      done: false,
      retire,
    };
    entries.set(key, entry);
    return entry;
  }
}

/** Report a fault of the backlog bookkeeping without letting it reach the user's call. */
export function guardBacklog(store: SignalStore | undefined, run: () => void): void {
  try {
    run();
  } catch (error) {
    reportFault('backlog', error, store);
  }
}
