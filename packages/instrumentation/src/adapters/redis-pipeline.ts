import { patchMethod } from './patch.js';

/**
 * XADD queued on an ioredis `pipeline()` or `multi()`. Those calls never reach the client's own
 * `xadd`: the queue object has its own command methods and hands the commands to the connection at
 * `exec()`. So the client's `pipeline` and `multi` are patched to instrument the `xadd` of every
 * queue they return, before any command (also those passed as an array) is queued on it.
 *
 * Each queued XADD is one send, counted once, when its own reply is known: its slot in the
 * pipeline's replies, or, inside MULTI … EXEC, its slot in EXEC's reply (a transaction Redis
 * discarded, EXECABORT, fails every entry of it). A queue that is never `exec()`'d sends nothing and
 * counts nothing. The send's duration runs from queueing to the reply, so it includes the time
 * until `exec()` is called.
 */

type Reply = [error: unknown, value?: unknown];

/** What this file reads of an ioredis Pipeline (ioredis 5 and 6); anything missing: no outcome. */
interface Queue {
  readonly length: number;
  readonly promise?: Promise<Reply[]>;
  readonly _queue?: ReadonlyArray<{ readonly name?: string; readonly inTransaction?: boolean }>;
  xadd?: (...args: unknown[]) => unknown;
  addBatch?: (commands: unknown[]) => unknown;
}

/** The `xadd` of a queue: queues exactly as the original, and resolves or rejects with the entry's reply. */
export type QueuedXadd = (this: Queue, original: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

/**
 * The outcome of the command queued at `position`, as a thenable that calls back in the same turn
 * the queue's replies arrive — before `await pipeline.exec()` resumes, so the entry is counted by
 * the time the caller sees the replies. Reads ioredis' reply list; anything missing: fulfilled.
 */
export function queuedOutcome(queue: Queue, position: number): PromiseLike<unknown> {
  return {
    // biome-ignore lint/suspicious/noThenProperty: the producer wrapper watches a thenable's `then`
    then(onFulfilled, onRejected) {
      const replies = queue.promise;
      if (replies === undefined || typeof replies.then !== 'function') {
        onFulfilled?.(undefined);
        return undefined as never;
      }
      replies.then((results) => {
        let reply: unknown;
        try {
          reply = entryReply(queue, position, results);
        } catch (error) {
          onRejected?.(error);
          return;
        }
        onFulfilled?.(reply);
      }, onRejected);
      return undefined as never;
    },
  };
}

/** The reply of the command at `position`: its own, or inside MULTI … EXEC its slot in EXEC's. Throws its error. */
function entryReply(queue: Queue, position: number, results: readonly Reply[]): unknown {
  const commands = queue._queue ?? [];
  if (!commands[position]?.inTransaction) return settled(results[position]);
  let exec = position + 1;
  while (exec < commands.length && commands[exec]?.name !== 'exec') exec++;
  const values = settled(results[exec]);
  if (!Array.isArray(values)) return undefined;
  // EXEC's reply holds the queued commands' replies, the last one just before EXEC.
  const reply: unknown = values[position - (exec - values.length)];
  if (reply instanceof Error) throw reply;
  return reply;
}

function settled(reply: Reply | undefined): unknown {
  if (reply?.[0]) throw reply[0];
  return reply?.[1];
}

/** Patch one queue's `xadd`. Returns the queue. */
function instrumentQueue<Q>(queue: Q, queuedXadd: QueuedXadd): Q {
  if (queue === null || typeof queue !== 'object') return queue;
  patchMethod(
    queue as unknown as Queue,
    'xadd',
    (original) =>
      function xadd(this: Queue, ...args: unknown[]) {
        return queuedXadd.call(this, original, args);
      },
  );
  return queue;
}

/**
 * Patch `pipeline` and `multi` of a client so the queues they return count their XADDs through
 * `queuedXadd`. Commands given as an array are queued after the patch, the way ioredis would.
 */
export function instrumentQueues(redis: object, queuedXadd: QueuedXadd): void {
  patchMethod(
    redis,
    'pipeline',
    (original) =>
      function pipeline(this: unknown, ...args: unknown[]) {
        const commands = args[0];
        if (!Array.isArray(commands)) return instrumentQueue(original.apply(this, args), queuedXadd);
        const queue = instrumentQueue(original.call(this) as Queue, queuedXadd);
        queue.addBatch?.(commands);
        return queue;
      },
  );
  patchMethod(
    redis,
    'multi',
    (original) =>
      function multi(this: unknown, ...args: unknown[]) {
        const [commands, options] = args;
        if (!Array.isArray(commands)) return instrumentQueue(original.apply(this, args), queuedXadd);
        // `multi(commands, { pipeline: false })` ignores the commands: keep that.
        const queue = original.call(this, options);
        if (queue === null || typeof queue !== 'object' || typeof (queue as Queue).addBatch !== 'function')
          return queue;
        instrumentQueue(queue, queuedXadd);
        (queue as Queue).addBatch!(commands);
        return queue;
      },
  );
}
