import type { BacklogReading, BacklogSource } from '@eventscope/instrumentation/backlog';

/**
 * An in-memory broker: named destinations, consumer groups, and per subscription a prefetch
 * limit on events in flight (1 keeps strict order). Like a real broker it stamps each message with the time it accepted it, so the
 * consumer can measure event age from the broker's own clock, and its queues grow when consumers
 * fall behind — which is how a GC-bound consumer shows up as rising event age. Like a broker that
 * keeps a backlog it can say, per destination and consumer group, how many messages wait, how many
 * are delivered and not settled, how old the oldest waiting one is and how many consumers are
 * attached (`backlogSource`, which eventscope's `watchBacklog` reads).
 */

export type Headers = Record<string, string>;

export interface Message<T = unknown> {
  readonly destination: string;
  readonly body: T;
  readonly headers: Headers;
  /** Epoch milliseconds at which the broker accepted the message. */
  readonly publishedAt: number;
}

export type MessageHandler<T = unknown> = (message: Message<T>) => unknown;

export interface Subscription {
  readonly destination: string;
  readonly group: string;
  /** Messages accepted and not yet handed to the handler. */
  readonly depth: number;
  unsubscribe(): void;
}

/** Failures of a handler, as the broker saw them; the message is dropped (no redelivery here). */
export type FailureListener = (error: unknown, message: Message) => void;

interface Queue {
  readonly destination: string;
  readonly group: string;
  readonly handler: MessageHandler<any>;
  readonly messages: Message[];
  readonly prefetch: number;
  head: number;
  /** Delivery loops running; at most `prefetch`. */
  workers: number;
  /** Messages handed to the handler whose handling has not finished. */
  unsettled: number;
  active: boolean;
}

/** A queue never holds more than this many messages; older ones are dropped first (and counted). */
const DEFAULT_QUEUE_LIMIT = 100_000;
/** Deliveries in a row before the broker yields to the event loop (timers, I/O, /metrics). */
const SYNC_DELIVERIES_PER_TURN = 64;

export class InMemoryBroker {
  private readonly queues = new Map<string, Queue[]>();
  private closed = false;
  /** Messages dropped because a queue was at its limit. */
  dropped = 0;

  constructor(private readonly options: { queueLimit?: number; onFailure?: FailureListener } = {}) {}

  /**
   * Accept a message for every consumer group subscribed to its destination. The headers object is
   * the caller's (an instrumented producer has already written trace context into it).
   */
  publish<T>(destination: string, body: T, headers: Headers = {}): void {
    if (this.closed) throw new Error(`broker is closed; cannot publish to ${destination}`);
    const message: Message<T> = { destination, body, headers, publishedAt: Date.now() };
    const limit = this.options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    for (const queue of this.queues.get(destination) ?? []) {
      if (queue.messages.length - queue.head >= limit) {
        queue.head++;
        this.dropped++;
      }
      queue.messages.push(message);
      this.schedule(queue);
    }
  }

  /** Deliver `destination`'s messages to `handler`, at most `prefetch` at a time (default 1). */
  subscribe<T>(
    destination: string,
    group: string,
    handler: MessageHandler<T>,
    options: { prefetch?: number } = {},
  ): Subscription {
    const prefetch = options.prefetch ?? 1;
    if (!Number.isInteger(prefetch) || prefetch < 1) {
      throw new RangeError(`prefetch must be a positive integer, got ${String(options.prefetch)}`);
    }
    const queue: Queue = {
      destination,
      group,
      handler,
      messages: [],
      prefetch,
      head: 0,
      workers: 0,
      unsettled: 0,
      active: true,
    };
    const list = this.queues.get(destination) ?? [];
    list.push(queue);
    this.queues.set(destination, list);
    return {
      destination,
      group,
      get depth() {
        return queue.messages.length - queue.head;
      },
      unsubscribe: () => {
        queue.active = false;
        const remaining = (this.queues.get(destination) ?? []).filter((q) => q !== queue);
        this.queues.set(destination, remaining);
      },
    };
  }

  /** Messages waiting across all subscriptions. */
  get depth(): number {
    let total = 0;
    for (const list of this.queues.values()) for (const q of list) total += q.messages.length - q.head;
    return total;
  }

  /**
   * What the broker holds for one consumer group of a destination: messages waiting (accepted, not
   * handed to a handler), unsettled (handed over, not finished), the oldest waiting message's age
   * (0 when none waits) and the subscriptions attached.
   */
  backlog(
    destination: string,
    group: string,
    now = Date.now(),
  ): Required<Omit<BacklogReading, 'redelivered'>> {
    let waiting = 0;
    let unsettled = 0;
    let consumers = 0;
    let oldest = now;
    for (const q of this.queues.get(destination) ?? []) {
      if (q.group !== group || !q.active) continue;
      consumers++;
      waiting += q.messages.length - q.head;
      unsettled += q.unsettled;
      const head = q.messages[q.head];
      if (head && head.publishedAt < oldest) oldest = head.publishedAt;
    }
    return { waiting, unsettled, oldestAgeSeconds: (now - oldest) / 1000, consumers };
  }

  /**
   * The backlog of a consumer group of a destination as eventscope reads it from a broker. The
   * in-memory broker never redelivers, so it leaves redeliveries out, as a broker that cannot tell.
   */
  backlogSource(system: string, destination: string, group: string): BacklogSource {
    return {
      system,
      destination,
      consumerGroup: group,
      read: async () => this.backlog(destination, group),
    };
  }

  /** Stop accepting messages and drop what is queued. */
  close(): void {
    this.closed = true;
    for (const list of this.queues.values()) {
      for (const q of list) {
        q.active = false;
        q.messages.length = 0;
        q.head = 0;
      }
    }
    this.queues.clear();
  }

  private schedule(queue: Queue): void {
    if (queue.workers >= queue.prefetch) return;
    queue.workers++;
    // Deliver on a later turn of the loop, as a network client would: publish never runs a handler.
    setImmediate(() => void this.deliver(queue));
  }

  /** One delivery loop: take the next message, await its handler, repeat until the queue is empty. */
  private async deliver(queue: Queue): Promise<void> {
    let syncRun = 0;
    while (queue.active && queue.head < queue.messages.length) {
      const message = queue.messages[queue.head]!;
      queue.head++;
      if (queue.head > 1024 && queue.head * 2 > queue.messages.length) {
        queue.messages.splice(0, queue.head);
        queue.head = 0;
      }
      queue.unsettled++;
      try {
        const result = queue.handler(message);
        if (result && typeof (result as PromiseLike<unknown>).then === 'function') await result;
      } catch (error) {
        this.options.onFailure?.(error, message);
      } finally {
        queue.unsettled--;
      }
      // A sync handler would otherwise keep the loop to itself while the queue is long.
      if (++syncRun >= SYNC_DELIVERIES_PER_TURN) {
        syncRun = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    queue.workers--;
  }
}
