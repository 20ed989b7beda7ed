import { needService, waitFor } from '@eventscope/testkit';
import {
  AckPolicy,
  connect,
  consumerOpts,
  createInbox,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  nanos,
} from 'nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { instrumentJetStream, instrumentNatsConnection } from '../../src/adapters/nats.js';
import { stopBacklogWatches } from '../../src/backlog.js';
import { renderExposition } from '../../src/export/exposition.js';
import { SignalStore } from '../../src/store.js';
import { parseExposition } from '../support/text-format.js';
import { sleep, uniqueName } from './support/run-id.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const available = await needService('nats', 4222, 'nats-server -js -a 127.0.0.1');
const base = { registry: false as const, runtime: false, slowThreshold: 0 };
const N = 10_000;

/** One scrape: what `renderExposition` exports for a consumer's backlog, by family name. */
function scrape(store: SignalStore, consumer: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of parseExposition(renderExposition(store)).samples) {
    if (s.name.startsWith('eventscope_backlog_') && s.labels.messaging_consumer_group_name === consumer) {
      out.set(s.name, s.value);
    }
  }
  return out;
}

const backlogFaults = (store: SignalStore) =>
  parseExposition(renderExposition(store)).samples.find(
    (s) =>
      s.name === 'eventscope_instrumentation_errors_total' && s.labels.eventscope_component === 'backlog',
  )?.value ?? 0;

/** Scrape every `everyMs` until `done` holds for a scrape; resolves with that scrape and the time taken. */
async function scrapeUntil(
  store: SignalStore,
  consumer: string,
  done: (values: Map<string, number>) => boolean,
  timeoutMs: number,
  everyMs = 20,
) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const values = scrape(store, consumer);
    if (done(values)) return { values, elapsedMs: performance.now() - started };
    await sleep(everyMs);
  }
  throw new Error(
    `backlog of ${consumer} not as expected after ${timeoutMs} ms: ${JSON.stringify([...scrape(store, consumer)])}`,
  );
}

/** Count the JetStream API requests a stream's consumer sees, as the server receives them. */
async function countRequests(nc: NatsConnection, stream: string, consumer: string) {
  const counts = { info: 0, get: 0 };
  const info = nc.subscribe(`$JS.API.CONSUMER.INFO.${stream}.${consumer}`, { callback: () => counts.info++ });
  const get = nc.subscribe(`$JS.API.STREAM.MSG.GET.${stream}`, { callback: () => counts.get++ });
  await nc.flush();
  return {
    counts,
    stop() {
      info.unsubscribe();
      get.unsubscribe();
    },
  };
}

async function publish(nc: NatsConnection, subject: string, count: number) {
  const js = nc.jetstream();
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) => js.publish(subject, `${i + j}`)),
    );
  }
}

describe.skipIf(!available)('NATS JetStream backlog against nats-server on 127.0.0.1:4222', () => {
  const connections: NatsConnection[] = [];
  const streams: string[] = [];
  let admin: JetStreamManager;
  const open = async (port = 4222) => {
    const nc = await connect({
      servers: `127.0.0.1:${port}`,
      reconnectTimeWait: 100,
      maxReconnectAttempts: -1,
    });
    connections.push(nc);
    return nc;
  };
  /** A stream with one durable pull consumer, `billing`; deleted after the test. */
  const streamWithConsumer = async (ackWaitMs = 30_000) => {
    admin ??= await (await open()).jetstreamManager();
    const stream = uniqueName('ES_BACKLOG');
    streams.push(stream);
    await admin.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await admin.consumers.add(stream, {
      durable_name: 'billing',
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
    });
    return { stream, subject: `${stream}.created` };
  };

  afterEach(async () => {
    await stopBacklogWatches();
    for (const stream of streams.splice(0)) await admin.streams.delete(stream).catch(() => {});
  });
  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => {});
  });

  it('a stopped consumer with 10,000 waiting: exported backlog = num_pending within one interval, lag within one interval of the true age, drains to 0', async () => {
    const intervalMs = 1000;
    const { stream, subject } = await streamWithConsumer();
    const store = new SignalStore();
    const nc = await open();
    const js = instrumentJetStream(nc.jetstream(), { ...base, store, backlog: { intervalMs } });
    const consumer = await js.consumers.get(stream, 'billing');

    // The consumer runs for a while, then stops.
    const received = new Set<string>();
    const onMessage = (msg: JsMsg) => {
      received.add(`${msg.seq}`);
      msg.ack();
    };
    let messages = await consumer.consume({ callback: onMessage });
    await publish(nc, subject, 100);
    await waitFor(() => received.size === 100, { what: '100 messages consumed' });
    await messages.close();
    // Messages consumed long before the backlog starts: an off-by-one read (the last delivered
    // message instead of the first waiting one) would be 2.5 s too old.
    await sleep(2500);

    const before = Date.now();
    await nc.jetstream().publish(subject, 'oldest waiting');
    const after = Date.now();
    await publish(nc, subject, N - 1);
    const truth = await admin.consumers.info(stream, 'billing');
    expect(truth.num_pending).toBe(N);

    const seen = await scrapeUntil(
      store,
      'billing',
      (v) => v.get('eventscope_backlog_waiting') === truth.num_pending,
      3 * intervalMs,
    );
    expect(seen.elapsedMs).toBeLessThan(intervalMs + 500);
    expect(seen.values.get('eventscope_backlog_unsettled')).toBe(truth.num_ack_pending);
    expect(seen.values.get('eventscope_backlog_redelivered')).toBe(truth.num_redelivered);
    expect(seen.values.has('eventscope_backlog_consumers')).toBe(false); // a pull consumer cannot tell
    const exportedAge = seen.values.get('eventscope_backlog_oldest_age_seconds')!;
    const now = Date.now();
    expect(exportedAge).toBeGreaterThanOrEqual((now - after) / 1000 - intervalMs / 1000);
    expect(exportedAge).toBeLessThanOrEqual((now - before) / 1000 + 0.05);

    // A later reading: the lag keeps growing while nobody consumes.
    await sleep(intervalMs);
    const later = await scrapeUntil(
      store,
      'billing',
      (v) => v.get('eventscope_backlog_oldest_age_seconds')! > exportedAge,
      2 * intervalMs,
    );
    expect(later.values.get('eventscope_backlog_oldest_age_seconds')!).toBeLessThanOrEqual(
      (Date.now() - before) / 1000 + 0.05,
    );

    // Restart: the backlog drains to 0, and so does the lag.
    messages = await consumer.consume({ callback: onMessage });
    await waitFor(() => received.size === 100 + N, { what: `${N} more messages`, timeoutMs: 60_000 });
    const drained = await scrapeUntil(
      store,
      'billing',
      (v) =>
        v.get('eventscope_backlog_waiting') === 0 &&
        v.get('eventscope_backlog_unsettled') === 0 &&
        v.get('eventscope_backlog_oldest_age_seconds') === 0,
      5 * intervalMs,
    );
    expect(drained.values.get('eventscope_backlog_redelivered')).toBe(0);
    await messages.close();
    expect(backlogFaults(store)).toBe(0);
  });

  it('at most one consumer-info request and one message read per consumer per interval, however many collections and clients', async () => {
    const intervalMs = 500;
    const { stream, subject } = await streamWithConsumer();
    const store = new SignalStore();
    const nc = await open();
    const counter = await countRequests(await open(), stream, 'billing');
    try {
      // Two instrumented clients hand out the same consumer three times: one watch.
      const options = { ...base, store, backlog: { intervalMs } };
      await instrumentJetStream(nc.jetstream(), options).consumers.get(stream, 'billing');
      await instrumentJetStream(nc.jetstream(), options).consumers.get(stream, 'billing');
      const js = instrumentJetStream(nc.jetstream(), options);
      await js.consumers.get(stream, 'billing');
      await publish(nc, subject, 50);
      await nc.flush();
      await sleep(100);
      counter.counts.info = 0; // each consumers.get() is one info request of the user's own
      counter.counts.get = 0;
      const started = performance.now();
      let collections = 0;
      while (performance.now() - started < 3000) {
        renderExposition(store);
        collections++;
        await sleep(2);
      }
      const windows = Math.ceil((performance.now() - started) / intervalMs);
      await sleep(200); // a read started by the last collection reaches the server
      expect(collections).toBeGreaterThan(windows * 10);
      expect(counter.counts.info).toBeGreaterThanOrEqual(windows - 1);
      expect(counter.counts.info).toBeLessThanOrEqual(windows + 1);
      expect(counter.counts.get).toBeLessThanOrEqual(counter.counts.info);
      expect(counter.counts.get).toBeGreaterThanOrEqual(windows - 1); // messages wait: each read asks their age
      expect(scrape(store, 'billing').get('eventscope_backlog_waiting')).toBe(50);
    } finally {
      counter.stop();
    }
  });

  it('a consumer or stream deleted under the collector: the user consumer on the same connection loses nothing, failures are counted, nothing thrown', async () => {
    const a = await streamWithConsumer();
    const b = await streamWithConsumer();
    const store = new SignalStore();
    const nc = await open();
    const js = instrumentJetStream(nc.jetstream(), {
      ...base,
      store,
      backlog: { intervalMs: 100, timeoutMs: 1000 },
    });
    const consumerA = await js.consumers.get(a.stream, 'billing');
    await js.consumers.get(b.stream, 'billing');
    const received = new Set<string>();
    const messages = await consumerA.consume({
      callback: (msg) => {
        received.add(msg.string());
        msg.ack();
      },
    });
    await scrapeUntil(store, 'billing', (v) => v.has('eventscope_backlog_waiting'), 2000);
    expect(backlogFaults(store)).toBe(0);

    await admin.consumers.delete(b.stream, 'billing');
    const producing = publish(nc, a.subject, 2000);
    await waitFor(() => backlogFaults(store) >= 1, { what: 'a failed read counted', intervalMs: 50 });
    await admin.streams.delete(b.stream);
    const faults = backlogFaults(store);
    await waitFor(() => backlogFaults(store) > faults, {
      what: 'the next failed read counted',
      intervalMs: 50,
    });
    await producing;
    await waitFor(() => received.size === 2000, { what: '2000 messages on the user consumer' });
    await messages.close();
    expect([...received].sort((x, y) => Number(x) - Number(y))).toEqual(
      Array.from({ length: 2000 }, (_, i) => `${i}`),
    );
  });

  it('the broker cut off mid-stream: reads fail and are counted, the user consumer recovers every message, the backlog is read again after the reconnect', async () => {
    const { stream, subject } = await streamWithConsumer(1000); // what was in flight at the cut is redelivered after 1 s
    const proxy = await startTcpProxy(4222);
    try {
      const store = new SignalStore();
      const nc = await open(proxy.port);
      const js = instrumentJetStream(nc.jetstream(), {
        ...base,
        store,
        backlog: { intervalMs: 100, timeoutMs: 300 },
      });
      const consumer = await js.consumers.get(stream, 'billing');
      const received = new Set<string>();
      // A short pull expiry, as in the adapter's no-loss test: the client notices the cut sooner.
      const messages = await consumer.consume({
        max_messages: 100,
        expires: 1000,
        callback: (msg) => {
          received.add(`${msg.seq}`); // the bodies repeat: count stream sequences
          msg.ack();
        },
      });
      await publish(await open(), subject, 1000);
      proxy.cut();
      const scraping = setInterval(() => renderExposition(store), 20);
      try {
        await waitFor(() => backlogFaults(store) >= 2, {
          what: 'failed reads counted',
          intervalMs: 50,
          timeoutMs: 10_000,
        });
        proxy.resume();
        await publish(await open(), subject, 1000);
        await waitFor(() => received.size === 2000, {
          what: 'every message after the reconnect',
          timeoutMs: 20_000,
        });
      } finally {
        clearInterval(scraping);
      }
      await scrapeUntil(
        store,
        'billing',
        (v) => v.get('eventscope_backlog_waiting') === 0 && v.get('eventscope_backlog_unsettled') === 0,
        10_000,
      );
      await messages.close();
    } finally {
      proxy.resume();
      await proxy.close();
    }
  });

  it('a filtered consumer: the lag is the first waiting message on its filter, not the stream, and the destination is the filter', async () => {
    const { stream } = await streamWithConsumer();
    await admin.consumers.add(stream, {
      durable_name: 'shipping',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${stream}.shipped`,
    });
    const store = new SignalStore();
    const nc = await open();
    await instrumentJetStream(nc.jetstream(), { ...base, store, backlog: { intervalMs: 100 } }).consumers.get(
      stream,
      'shipping',
    );
    // An older message on another subject comes first in the stream: reading by sequence alone
    // would report its age.
    await nc.jetstream().publish(`${stream}.created`, 'older, not for shipping');
    await sleep(2000);
    const before = Date.now();
    await nc.jetstream().publish(`${stream}.shipped`, 'waiting for shipping');
    const seen = await scrapeUntil(store, 'shipping', (v) => v.get('eventscope_backlog_waiting') === 1, 2000);
    expect(seen.values.get('eventscope_backlog_oldest_age_seconds')!).toBeLessThanOrEqual(
      (Date.now() - before) / 1000 + 0.05,
    );
    const labels = parseExposition(renderExposition(store)).samples.find(
      (s) => s.name === 'eventscope_backlog_waiting' && s.labels.messaging_consumer_group_name === 'shipping',
    )?.labels;
    expect(labels).toMatchObject({
      messaging_system: 'nats',
      messaging_destination_name: `${stream}.shipped`,
    });
  });

  it('a durable push subscription: consumers is 1 while bound and 0 once unsubscribed, its backlog still watched', async () => {
    const { stream, subject } = await streamWithConsumer();
    const store = new SignalStore();
    const nc = await open();
    const js = instrumentJetStream(nc.jetstream(), { ...base, store, backlog: { intervalMs: 100 } });
    const opts = consumerOpts();
    opts.durable('pusher');
    opts.deliverTo(createInbox());
    opts.ackExplicit();
    opts.manualAck();
    let got = 0;
    opts.callback((_err, msg) => {
      if (!msg) return;
      got++;
      msg.ack();
    });
    const sub = await js.subscribe(subject, opts);
    await publish(nc, subject, 20);
    await waitFor(() => got === 20, { what: '20 pushed messages' });
    await scrapeUntil(
      store,
      'pusher',
      (v) => v.get('eventscope_backlog_consumers') === 1 && v.get('eventscope_backlog_waiting') === 0,
      3000,
    );
    sub.unsubscribe();
    await publish(nc, subject, 5);
    const truth = await waitFor(async () => {
      const info = await admin.consumers.info(stream, 'pusher');
      return !info.push_bound && info;
    });
    expect(truth.num_pending).toBe(5);
    await scrapeUntil(
      store,
      'pusher',
      (v) => v.get('eventscope_backlog_consumers') === 0 && v.get('eventscope_backlog_waiting') === 5,
      3000,
    );
  });

  it('stops with the connection and with stopBacklogWatches(): no more requests, no faults', async () => {
    const { stream } = await streamWithConsumer();
    const counter = await countRequests(await open(), stream, 'billing');
    try {
      const store = new SignalStore();
      const nc = await connect({ servers: '127.0.0.1:4222' });
      await instrumentJetStream(nc.jetstream(), {
        ...base,
        store,
        backlog: { intervalMs: 50 },
      }).consumers.get(stream, 'billing');
      await scrapeUntil(store, 'billing', (v) => v.has('eventscope_backlog_waiting'), 2000);
      await nc.close();
      await sleep(50);
      const asked = counter.counts.info;
      for (let i = 0; i < 20; i++) {
        expect(() => renderExposition(store)).not.toThrow();
        await sleep(20);
      }
      expect(counter.counts.info).toBe(asked);
      expect(backlogFaults(store)).toBe(0);

      const other = new SignalStore();
      const nc2 = await open();
      await instrumentJetStream(nc2.jetstream(), {
        ...base,
        store: other,
        backlog: { intervalMs: 50 },
      }).consumers.get(stream, 'billing');
      await scrapeUntil(other, 'billing', (v) => v.has('eventscope_backlog_waiting'), 2000);
      await stopBacklogWatches();
      await sleep(50);
      const asked2 = counter.counts.info;
      for (let i = 0; i < 20; i++) {
        renderExposition(other);
        await sleep(20);
      }
      expect(counter.counts.info).toBe(asked2);
    } finally {
      counter.stop();
    }
  });

  it('backlog: false watches nothing; core NATS keeps no backlog and exports none', async () => {
    const { stream, subject } = await streamWithConsumer();
    const counter = await countRequests(await open(), stream, 'billing');
    try {
      const store = new SignalStore();
      const nc = instrumentNatsConnection(await open(), { ...base, store });
      await instrumentJetStream(nc.jetstream(), { ...base, store, backlog: false }).consumers.get(
        stream,
        'billing',
      );
      await nc.flush();
      await sleep(100);
      counter.counts.info = 0; // the user's own consumers.get()
      let got = 0;
      nc.subscribe(`${stream}.core`, { callback: () => got++ });
      await nc.flush();
      for (let i = 0; i < 10; i++) nc.publish(`${stream}.core`, `${i}`);
      await publish(nc, subject, 10);
      await waitFor(() => got === 10, { what: 'core messages' });
      for (let i = 0; i < 10; i++) {
        renderExposition(store);
        await sleep(20);
      }
      const text = renderExposition(store);
      expect(text).toContain('messaging_client_consumed_messages_total');
      expect(text).not.toMatch(/^eventscope_backlog_/m);
      expect(counter.counts.info).toBe(0);
    } finally {
      counter.stop();
    }
  });
});
