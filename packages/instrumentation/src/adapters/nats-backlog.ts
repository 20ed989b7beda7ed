import type {
  Consumer,
  ConsumerInfo,
  JetStreamClient,
  JetStreamManager,
  JetStreamSubscription,
  MsgRequest,
  NatsConnection,
} from 'nats';
import {
  type BacklogOptions,
  type BacklogReading,
  type BacklogSource,
  type BacklogWatch,
  watchBacklog,
} from '../backlog.js';
import { reportFault } from '../faults.js';
import { defaultStore, type SignalStore } from '../store.js';
import { patchMethod } from './patch.js';

/**
 * The backlog of a JetStream consumer, read from the broker through a JetStream manager on the
 * user's own connection: one consumer-info request per interval (`num_pending` → waiting,
 * `num_ack_pending` → unsettled, `num_redelivered` → redelivered, a push consumer's `push_bound`
 * → consumers) and, when messages wait, one stream read of the first undelivered message (the
 * first stored message after `delivered.stream_seq` that matches the consumer's filter) for the
 * lag in time. Core NATS keeps no backlog and has no source.
 */

export interface JetStreamBacklogTarget {
  readonly system: string;
  readonly stream: string;
  readonly consumer: string;
  /** `messaging.destination.name`: the consumer's filter subject through the adapter's `destination`, else the stream. */
  readonly destination: string;
}

/** The oldest waiting message's age (s), or undefined when the broker cannot tell it. */
async function oldestWaitingAge(jsm: JetStreamManager, info: ConsumerInfo): Promise<number | undefined> {
  if (info.num_pending === 0) return 0; // nothing waits: no lag (a stale age would outlive the drain)
  const filters = info.config.filter_subjects ?? [];
  if (filters.length > 1) return undefined; // the first match over several filters takes one read per filter
  const filter = info.config.filter_subject || filters[0] || '>';
  // The server answers `next_by_subj` with the first stored message at or after `seq` that matches.
  const query = { seq: info.delivered.stream_seq + 1, next_by_subj: filter } as unknown as MsgRequest;
  const message = await jsm.streams.getMessage(info.stream_name, query);
  const stored = Date.parse(message.timestamp);
  return Number.isFinite(stored) ? Math.max(0, (Date.now() - stored) / 1000) : undefined;
}

/** One read of a consumer: its info, then (when messages wait) the first waiting message's time. */
async function readConsumer(
  jsm: JetStreamManager,
  target: JetStreamBacklogTarget,
  signal: AbortSignal,
): Promise<BacklogReading> {
  const info = await jsm.consumers.info(target.stream, target.consumer);
  const reading: { -readonly [K in keyof BacklogReading]: BacklogReading[K] } = {
    waiting: info.num_pending,
    unsettled: info.num_ack_pending,
    redelivered: info.num_redelivered,
  };
  // Push consumers tell whether a subscription is bound; pull consumers only count pull requests
  // (`num_waiting`), which are not consumers: left out.
  if (info.config.deliver_subject) reading.consumers = info.push_bound ? 1 : 0;
  if (!signal.aborted) reading.oldestAgeSeconds = await oldestWaitingAge(jsm, info);
  return reading;
}

/** A `BacklogSource` for one JetStream consumer. `jsm` should not probe the API (`checkAPI: false`). */
export function jetStreamBacklogSource(
  jsm: JetStreamManager | Promise<JetStreamManager>,
  target: JetStreamBacklogTarget,
  onClose?: () => void,
): BacklogSource {
  const source: BacklogSource = {
    system: target.system,
    destination: target.destination,
    consumerGroup: target.consumer,
    async read(signal) {
      const manager = await jsm;
      try {
        return await readConsumer(manager, target, signal);
      } catch (error) {
        // The user closed the connection: the watch stops with it, and that is no fault.
        if (connectionOf(manager)?.isClosed()) return {};
        throw error;
      }
    },
  };
  return onClose ? { ...source, close: onClose } : source;
}

// One watch per (store, stream, consumer): getting a consumer again, or from another client of
// the same connection, does not double the broker requests.
const watches = new WeakMap<SignalStore, Map<string, BacklogWatch>>();

/**
 * Watch a JetStream consumer's backlog on `nc`'s connection until `stop()`, the connection
 * closes, or `stopBacklogWatches()`. Watching the same consumer into the same store again returns
 * the watch already running. Never throws: a failure to set up is counted like a failed read.
 */
export function watchJetStreamBacklog(
  connection: NatsConnection | JetStreamClient | JetStreamManager,
  target: JetStreamBacklogTarget,
  options: BacklogOptions = {},
): BacklogWatch {
  const store = options.store ?? defaultStore;
  let byKey = watches.get(store);
  if (!byKey) watches.set(store, (byKey = new Map()));
  const key = `${target.stream}\u0000${target.consumer}`;
  const running = byKey.get(key);
  if (running) return running;

  const jsm = managerOf(connection);
  const forget = () => {
    if (byKey.get(key) === watch) byKey.delete(key);
  };
  const watch = watchBacklog(jetStreamBacklogSource(jsm, target, forget), { ...options, store });
  byKey.set(key, watch);
  void jsm.then(
    (manager) =>
      connectionOf(manager)
        ?.closed()
        .then(() => watch.stop()),
    (error) => reportFault('backlog', error, store),
  );
  return watch;
}

function managerOf(
  connection: NatsConnection | JetStreamClient | JetStreamManager,
): Promise<JetStreamManager> {
  try {
    // No API probe: that would be one more request to the broker, and the reads fail on their own.
    if (!('jetstreamManager' in connection)) return Promise.resolve(connection);
    if ('consumers' in connection) return connection.jetstreamManager(false);
    return connection.jetstreamManager({ checkAPI: false });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The connection under a JetStream client or manager (nats.js clients expose `getConnection()`). */
export function connectionOf(client: object): NatsConnection | undefined {
  const get = (client as { getConnection?: () => NatsConnection }).getConnection;
  return typeof get === 'function' ? get.call(client) : undefined;
}

// ---- consumers an instrumented JetStream client hands out ----------------------------------------

export interface ConsumerWatchOptions {
  readonly system: string;
  readonly destination: (subject: string) => string;
  readonly backlog: BacklogOptions;
}

interface ConsumerNames {
  stream: string;
  consumer: string;
  filter: string | undefined;
}

function targetOf(names: ConsumerNames, options: ConsumerWatchOptions): JetStreamBacklogTarget {
  return {
    system: options.system,
    stream: names.stream,
    consumer: names.consumer,
    destination: names.filter ? options.destination(names.filter) : names.stream,
  };
}

const singleFilter = (config: { filter_subject?: string; filter_subjects?: string[] } | undefined) =>
  config?.filter_subject || (config?.filter_subjects?.length === 1 ? config.filter_subjects[0] : undefined);

/** After `promise` settles successfully, call `then` — never touching the caller's promise. */
function afterSuccess(result: unknown, then: () => void): void {
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).then(then, () => {});
  }
}

/** A pull consumer from `js.consumers.get(stream, name)`: watched until deleted or the connection closes. */
function watchPulled(js: JetStreamClient, consumer: Consumer, options: ConsumerWatchOptions): void {
  const store = options.backlog.store ?? defaultStore;
  consumer.info(true).then(
    (info) => {
      const names = { stream: info.stream_name, consumer: info.name, filter: singleFilter(info.config) };
      const watch = watchJetStreamBacklog(js, targetOf(names, options), options.backlog);
      patchMethod(
        consumer,
        'delete',
        (original) =>
          function del(this: Consumer, ...args: unknown[]) {
            const result = original.apply(this, args);
            afterSuccess(result, () => void watch.stop());
            return result;
          },
      );
    },
    (error) => reportFault('backlog', error, store),
  );
}

interface SubscriptionInfo {
  ordered?: boolean;
  stream?: string;
  name?: string;
  config?: { durable_name?: string; filter_subject?: string; filter_subjects?: string[] };
}

/** A push subscription from `js.subscribe`: an ephemeral consumer is watched while subscribed. */
function watchPushed(js: JetStreamClient, sub: JetStreamSubscription, options: ConsumerWatchOptions): void {
  const info = (sub as unknown as { info?: SubscriptionInfo | null }).info;
  const consumer = info?.config?.durable_name || info?.name;
  if (!info?.stream || !consumer || info.ordered) return; // an ordered consumer is recreated under new names
  const names = { stream: info.stream, consumer, filter: singleFilter(info.config) };
  const watch = watchJetStreamBacklog(js, targetOf(names, options), options.backlog);
  // A durable consumer outlives the subscription (its backlog is what matters then); an
  // ephemeral one is deleted with it.
  if (!info.config?.durable_name)
    void sub.closed.then(
      () => watch.stop(),
      () => watch.stop(),
    );
}

/**
 * Watch the backlog of every consumer `js` hands out: pull consumers from `js.consumers.get`
 * (ordered consumers have no lasting name and are not watched) and push subscriptions from
 * `js.subscribe`. The user's calls and results are untouched.
 */
export function watchConsumersOf(js: JetStreamClient, options: ConsumerWatchOptions): void {
  if (js.consumers) {
    patchMethod(
      js.consumers,
      'get',
      (original) =>
        function get(this: unknown, ...args: unknown[]) {
          const got = original.apply(this, args);
          if (typeof args[1] === 'string') {
            Promise.resolve(got).then(
              (consumer: Consumer) => watchPulled(js, consumer, options),
              () => {},
            );
          }
          return got;
        },
    );
  }
  patchMethod(
    js,
    'subscribe',
    (original) =>
      function subscribe(this: unknown, ...args: unknown[]) {
        const got = original.apply(this, args);
        Promise.resolve(got).then(
          (sub: JetStreamSubscription) => watchPushed(js, sub, options),
          () => {},
        );
        return got;
      },
  );
}
