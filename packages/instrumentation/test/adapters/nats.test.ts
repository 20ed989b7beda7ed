import { attributes } from '@eventscope/catalog';
import { needService, waitFor } from '@eventscope/testkit';
import { AckPolicy, connect, type JsMsg, type Msg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instrumentJetStream,
  instrumentJetStreamHandler,
  instrumentJetStreamMessages,
  instrumentNatsConnection,
} from '../../src/adapters/nats.js';
import { SignalStore } from '../../src/store.js';
import { sleep, uniqueName, ValidationError } from './support/run-id.js';
import { countAbove, counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const available = await needService('nats', 4222, 'nats-server -js -a 127.0.0.1');
const N = 10_000;
const base = { registry: false as const, runtime: false, slowThreshold: 0 };

describe.skipIf(!available)('NATS adapter against nats-server on 127.0.0.1:4222', () => {
  let spans: ReturnType<typeof recordSpans>;
  const connections: NatsConnection[] = [];
  const open = async (port = 4222) => {
    const nc = await connect({
      servers: `127.0.0.1:${port}`,
      reconnectTimeWait: 100,
      maxReconnectAttempts: -1,
    });
    connections.push(nc);
    return nc;
  };

  beforeAll(() => {
    spans = recordSpans();
  });
  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => {});
    await spans.stop();
  });

  it('core NATS: N events publish → subscribe callback, counted exactly, each consumer span a child of its producer span', async () => {
    spans.exporter.reset();
    const store = new SignalStore();
    const subject = uniqueName('es.orders');
    const consumer = instrumentNatsConnection(await open(), { ...base, store, consumerGroup: 'billing' });
    const producer = instrumentNatsConnection(await open(), { ...base, store });
    const received = new Set<string>();
    consumer.subscribe(subject, { callback: (_err, msg) => received.add(msg.string()) });
    await consumer.flush();
    const started = Date.now();
    for (let i = 0; i < N; i++) {
      producer.publish(subject, `${i}`);
      if (i % 1000 === 999) await producer.flush();
    }
    await producer.flush();
    await waitFor(() => received.size === N, { what: `${N} NATS messages`, timeoutMs: 60_000 });
    const elapsed = (Date.now() - started) / 1000;

    const labels = { [attributes.system]: 'nats', [attributes.destination]: subject };
    expect(counterTotal(store, 'sentMessages', labels)).toBe(N);
    expect(counterTotal(store, 'consumedMessages', labels)).toBe(N);
    const age = histogramTotals(store, 'eventAge', labels);
    expect(age.count).toBe(N);
    expect(age.sum).toBeGreaterThanOrEqual(0);
    expect(countAbove(store, 'eventAge', labels, elapsed + 1)).toBe(0);
    const parentage = consumerParentage(await spans.finished(), 'nats');
    expect(parentage).toMatchObject({ producers: N, consumers: N, withProducerParent: N, sharedParents: 0 });
  });

  it('core NATS: a for-await subscription is counted like a callback one', async () => {
    const store = new SignalStore();
    const subject = uniqueName('es.iter');
    const nc = instrumentNatsConnection(await open(), { ...base, store });
    const sub = nc.subscribe(subject, { max: 2000 });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const msg of sub) seen.push(msg.string());
    })();
    await nc.flush();
    for (let i = 0; i < 2000; i++) nc.publish(subject, `${i}`);
    await loop;
    expect(seen).toHaveLength(2000);
    const labels = { [attributes.destination]: subject };
    expect(counterTotal(store, 'consumedMessages', labels)).toBe(2000);
    expect(histogramTotals(store, 'processDuration', labels).count).toBe(2000);
  });

  it('JetStream: N events through a stream, age from the JetStream timestamp, every ack recorded as settle', async () => {
    spans.exporter.reset();
    const store = new SignalStore();
    const stream = uniqueName('ES_ORDERS');
    const subject = `${stream}.created`;
    const nc = await open();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    try {
      await jsm.consumers.add(stream, { durable_name: 'billing', ack_policy: AckPolicy.Explicit });
      const js = instrumentJetStream(nc.jetstream(), { ...base, store });
      const started = Date.now();
      for (let i = 0; i < N; i += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, N - i) }, (_, j) => js.publish(subject, `${i + j}`)),
        );
      }
      const received = new Set<string>();
      const consumer = await nc.jetstream().consumers.get(stream, 'billing');
      const messages = await consumer.consume({
        callback: instrumentJetStreamHandler(
          (msg: JsMsg) => {
            received.add(msg.string());
            msg.ack();
          },
          { ...base, store, consumerGroup: 'billing' },
        ),
      });
      await waitFor(() => received.size === N, { what: `${N} JetStream messages`, timeoutMs: 60_000 });
      await messages.close();
      const elapsed = (Date.now() - started) / 1000;

      const labels = { [attributes.destination]: subject };
      expect(counterTotal(store, 'sentMessages', labels)).toBe(N);
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(N);
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'ack' })).toBe(N);
      expect(counterTotal(store, 'redeliveredEvents', labels)).toBe(0);
      expect(histogramTotals(store, 'eventAge', labels).count).toBe(N);
      expect(countAbove(store, 'eventAge', labels, elapsed + 1)).toBe(0);
      const parentage = consumerParentage(await spans.finished(), 'nats');
      expect(parentage).toMatchObject({ producers: N, withProducerParent: N, sharedParents: 0 });
    } finally {
      await jsm.streams.delete(stream);
    }
  });

  it('each message is counted once: request() through an instrumented connection, JetStream publish beside it', async () => {
    const store = new SignalStore();
    const nc = instrumentNatsConnection(await open(), { ...base, store });
    const subject = uniqueName('es.ping');
    const responding = await open();
    const responder = responding.subscribe(subject, { callback: (_err, msg) => msg.respond('pong') });
    await responding.flush(); // the server knows the responder before the first request
    const requests = 100;
    for (let i = 0; i < requests; i++) await nc.request(subject, `${i}`, { timeout: 2000 });
    for (let i = 0; i < 10; i++) await nc.request(subject, `${i}`, { timeout: 2000, noMux: true });
    responder.unsubscribe();
    const sent = (operation: string) =>
      counterTotal(store, 'sentMessages', {
        [attributes.destination]: subject,
        [attributes.operationName]: operation,
      });
    // nats.js hands a request to the connection's own publish(); the user made one call per message.
    expect(sent('request')).toBe(requests + 10);
    expect(sent('publish')).toBe(0);

    const stream = uniqueName('ES_ONCE');
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    try {
      const js = instrumentJetStream(nc.jetstream(), { ...base, store });
      for (let i = 0; i < 200; i++) await js.publish(`${stream}.created`, `${i}`);
      const labels = { [attributes.destination]: `${stream}.created` };
      // JetStream publishes through request() on the same instrumented connection.
      expect(counterTotal(store, 'sentMessages', labels)).toBe(200);
      expect(counterTotal(store, 'sentMessages', { ...labels, [attributes.operationName]: 'publish' })).toBe(
        200,
      );
    } finally {
      await jsm.streams.delete(stream);
    }
  });

  it('JetStream: a rejecting handler keeps its nak and redelivery, and is counted by error.type', async () => {
    const store = new SignalStore();
    const stream = uniqueName('ES_FAIL');
    const subject = `${stream}.payments`;
    const nc = await open();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    try {
      await jsm.consumers.add(stream, { durable_name: 'billing', ack_policy: AckPolicy.Explicit });
      const js = instrumentJetStream(nc.jetstream(), { ...base, store });
      const total = 500;
      for (let i = 0; i < total; i++) await js.publish(subject, `${i}`);
      const failing = (i: number) => i % 10 === 0;
      const acked = new Set<number>();
      const handle = instrumentJetStreamHandler(
        async (msg: JsMsg) => {
          const i = Number(msg.string());
          if (failing(i) && !msg.redelivered) {
            msg.nak();
            throw new ValidationError(`event ${i} rejected`);
          }
          acked.add(i);
          msg.ack();
        },
        { ...base, store, consumerGroup: 'billing' },
      );
      const consumer = await nc.jetstream().consumers.get(stream, 'billing');
      const messages = await consumer.consume();
      const rejections: unknown[] = [];
      for await (const msg of messages) {
        await handle(msg).catch((error: unknown) => rejections.push(error));
        if (acked.size === total) break;
      }
      const labels = { [attributes.destination]: subject };
      const failures = Array.from({ length: total }, (_, i) => i).filter(failing).length;
      expect(rejections).toHaveLength(failures);
      expect(rejections.every((e) => e instanceof ValidationError)).toBe(true);
      expect(
        counterTotal(store, 'consumedMessages', { ...labels, [attributes.errorType]: 'ValidationError' }),
      ).toBe(failures);
      expect(counterTotal(store, 'consumedMessages', labels)).toBe(total + failures);
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'nack' })).toBe(
        failures,
      );
      expect(counterTotal(store, 'settledEvents', { ...labels, [attributes.settleOutcome]: 'ack' })).toBe(
        total,
      );
      expect(counterTotal(store, 'redeliveredEvents', labels)).toBe(failures);
    } finally {
      await jsm.streams.delete(stream);
    }
  });

  it('JetStream through a cut connection: the instrumented consumer receives exactly what a bare one does', async () => {
    const store = new SignalStore();
    const stream = uniqueName('ES_CUT');
    const subject = `${stream}.events`;
    const admin = await open();
    const jsm = await admin.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    const total = 3000;
    try {
      await jsm.consumers.add(stream, {
        durable_name: 'bare',
        ack_policy: AckPolicy.Explicit,
        ack_wait: 2e9,
      });
      await jsm.consumers.add(stream, {
        durable_name: 'instrumented',
        ack_policy: AckPolicy.Explicit,
        ack_wait: 2e9,
      });
      const js = admin.jetstream();
      for (let i = 0; i < total; i += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, total - i) }, (_, j) => js.publish(subject, `${i + j}`)),
        );
      }
      const run = async (durable: string, instrument: boolean) => {
        const proxy = await startTcpProxy(4222);
        const nc = await open(proxy.port);
        const consumer = await nc.jetstream().consumers.get(stream, durable);
        const seen = new Set<string>();
        let cutDone = false;
        const messages = await consumer.consume({ max_messages: 100, expires: 1000 });
        const iterable = instrument ? instrumentJetStreamMessages(messages, { ...base, store }) : messages;
        for await (const msg of iterable) {
          seen.add(msg.string());
          msg.ack();
          if (!cutDone && seen.size === total / 2) {
            cutDone = true;
            proxy.cut();
            setTimeout(() => proxy.resume(), 300);
          }
          if (seen.size === total) break;
        }
        await proxy.close();
        return seen;
      };
      const [bare, instrumented] = await Promise.all([run('bare', false), run('instrumented', true)]);
      expect(bare.size).toBe(total);
      expect([...instrumented].sort()).toEqual([...bare].sort());
      expect(counterTotal(store, 'instrumentationErrors')).toBe(0);
      expect(
        counterTotal(store, 'consumedMessages', { [attributes.destination]: subject }),
      ).toBeGreaterThanOrEqual(total);
    } finally {
      await jsm.streams.delete(stream);
    }
  });

  it('three hops A → B → C: pipeline age at C covers every injected delay, one trace id spans the path', async () => {
    spans.exporter.reset();
    const store = new SignalStore();
    const root = uniqueName('es.hop');
    // Pipeline age is opt-in; one option turns it on for the connection's consumers and producers.
    const nc = instrumentNatsConnection(await open(), { ...base, store, pipelineAge: true });
    const delay = 120;
    const events = 20;
    const done = new Set<string>();
    nc.subscribe(`${root}.a`, {
      callback: async (_err: unknown, msg: Msg) => {
        await sleep(delay);
        nc.publish(`${root}.b`, msg.data);
      },
    });
    nc.subscribe(`${root}.b`, {
      callback: async (_err: unknown, msg: Msg) => {
        await sleep(delay);
        nc.publish(`${root}.c`, msg.data);
      },
    });
    nc.subscribe(`${root}.c`, {
      callback: async (_err: unknown, msg: Msg) => {
        await sleep(delay);
        done.add(msg.string());
      },
    });
    await nc.flush();
    for (let i = 0; i < events; i++) nc.publish(`${root}.a`, `${i}`);
    await waitFor(() => done.size === events, { what: 'events through three hops', timeoutMs: 30_000 });
    await sleep(50);

    const atC = histogramTotals(store, 'pipelineAge', { [attributes.destination]: `${root}.c` });
    expect(atC.count).toBe(events);
    // C starts after A's and B's delays: its pipeline age covers both.
    expect(countAbove(store, 'pipelineAge', { [attributes.destination]: `${root}.c` }, 0)).toBe(events);
    expect(atC.mean).toBeGreaterThanOrEqual((2 * delay) / 1000);
    const ownAgeAtC = histogramTotals(store, 'eventAge', { [attributes.destination]: `${root}.c` });
    expect(ownAgeAtC.mean).toBeLessThan(atC.mean);

    const finished = (await spans.finished()).filter((s) => s.attributes['messaging.system'] === 'nats');
    const traces = new Map<string, number>();
    for (const span of finished)
      traces.set(span.spanContext().traceId, (traces.get(span.spanContext().traceId) ?? 0) + 1);
    // Each event: producer→a, consumer a, producer→b, consumer b, producer→c, consumer c — one trace.
    expect(traces.size).toBe(events);
    expect([...traces.values()].every((n) => n === 6)).toBe(true);
  });
});
