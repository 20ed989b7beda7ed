import { attributes } from '@eventscope/catalog';
import { needService, waitFor } from '@eventscope/testkit';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMqttClient } from '../../src/adapters/mqtt.js';
import { SignalStore } from '../../src/store.js';
import { sleep, uniqueName } from './support/run-id.js';
import { countAbove, counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const available = await needService('mosquitto', 1883, 'mosquitto -p 1883');
const N = 10_000;
const base = { registry: false as const, runtime: false, slowThreshold: 0 };

describe.skipIf(!available)('MQTT adapter against Mosquitto on 127.0.0.1:1883', () => {
  let spans: ReturnType<typeof recordSpans>;
  const clients: MqttClient[] = [];
  const open = async (protocolVersion: 4 | 5, port = 1883, more: IClientOptions = {}) => {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion, clean: true, ...more });
    clients.push(client);
    return client;
  };
  beforeAll(() => {
    spans = recordSpans();
  });
  afterAll(async () => {
    for (const client of clients) await client.endAsync();
    await spans.stop();
  });

  it('MQTT 5: N events publish → message, counted exactly, context in user properties, span parentage', async () => {
    const store = new SignalStore();
    const topic = uniqueName('es/telemetry');
    const consumer = instrumentMqttClient(await open(5), { ...base, store });
    const producer = instrumentMqttClient(await open(5), { ...base, store });
    const received = new Set<string>();
    consumer.on('message', (_topic, payload) => received.add(payload.toString()));
    await consumer.subscribeAsync(topic, { qos: 1 });
    const started = Date.now();
    const options = { qos: 1 as const };
    for (let i = 0; i < N; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => producer.publishAsync(topic, `${i + j}`, options)),
      );
    }
    await waitFor(() => received.size === N, { what: `${N} MQTT messages`, timeoutMs: 60_000 });
    const elapsed = (Date.now() - started) / 1000;
    expect(options).toEqual({ qos: 1 });

    const labels = { [attributes.system]: 'mqtt', [attributes.destination]: topic };
    expect(counterTotal(store, 'sentMessages', labels)).toBe(N);
    expect(counterTotal(store, 'consumedMessages', labels)).toBe(N);
    expect(histogramTotals(store, 'eventAge', labels).count).toBe(N);
    expect(countAbove(store, 'eventAge', labels, elapsed + 1)).toBe(0);
    expect(consumerParentage(await spans.finished(), 'mqtt')).toMatchObject({
      producers: N,
      consumers: N,
      withProducerParent: N,
      sharedParents: 0,
    });
  });

  it('MQTT 3.1.1: messages flow and are counted; age and trace unavailable, counted as missing carrier, never an error', async () => {
    const store = new SignalStore();
    const topic = uniqueName('es/legacy');
    const consumer = instrumentMqttClient(await open(4), { ...base, store });
    const producer = instrumentMqttClient(await open(4), { ...base, store });
    const received: string[] = [];
    consumer.on('message', (_topic, payload) => received.push(payload.toString()));
    await consumer.subscribeAsync(topic, { qos: 1 });
    const total = 200;
    for (let i = 0; i < total; i++) await producer.publishAsync(topic, `${i}`, { qos: 1 });
    await waitFor(() => received.length === total, { what: 'MQTT 3.1.1 messages' });
    const labels = { [attributes.destination]: topic };
    expect(counterTotal(store, 'sentMessages', labels)).toBe(total);
    expect(counterTotal(store, 'consumedMessages', labels)).toBe(total);
    expect(histogramTotals(store, 'eventAge', labels).count).toBe(0);
    expect(
      counterTotal(store, 'propagationErrors', { ...labels, [attributes.propagationError]: 'carrier' }),
    ).toBeGreaterThanOrEqual(total);
    expect(counterTotal(store, 'instrumentationErrors')).toBe(0);
  });

  it('a throwing message listener is counted by error.type and still throws where MQTT.js emits it', async () => {
    const store = new SignalStore();
    const topic = uniqueName('es/errors');
    const client = instrumentMqttClient(await open(5), { ...base, store });
    class ValidationError extends Error {
      override name = 'ValidationError';
    }
    const thrown = new ValidationError('bad reading');
    client.on('message', () => {
      throw thrown;
    });
    // Calling emit directly is what MQTT.js does per message; the listener's error must surface unchanged.
    expect(() =>
      client.emit('message', topic, Buffer.from('x'), {
        cmd: 'publish',
        topic,
        payload: 'x',
        qos: 0,
        dup: false,
        retain: false,
      }),
    ).toThrow(thrown);
    expect(
      counterTotal(store, 'consumedMessages', {
        [attributes.destination]: topic,
        [attributes.errorType]: 'ValidationError',
      }),
    ).toBe(1);
  });

  it('through a cut connection: with MQTT.js reconnecting itself, the instrumented subscriber receives exactly what a bare one does', async () => {
    const store = new SignalStore();
    const topic = uniqueName('es/cut');
    const total = 3000;
    // A persistent QoS 1 session: Mosquitto keeps what arrives while the subscriber is away and
    // resends what was in flight (dup) when MQTT.js reconnects.
    const session = (clientId: string): IClientOptions => ({
      clientId,
      clean: false,
      reconnectPeriod: 100,
      properties: { sessionExpiryInterval: 60 },
    });
    const subscribe = async (name: string, instrument: boolean) => {
      const proxy = await startTcpProxy(1883);
      const clientId = uniqueName(`es-${name}`);
      const raw = await open(5, proxy.port, session(clientId));
      const client = instrument ? instrumentMqttClient(raw, { ...base, store }) : raw;
      const seen = new Set<string>();
      const clientErrors: Error[] = [];
      let deliveries = 0;
      let retransmissions = 0;
      let reconnects = 0;
      let cut = false;
      client.on('error', (error) => clientErrors.push(error));
      client.on('reconnect', () => reconnects++);
      client.on('message', (_topic, payload, packet) => {
        deliveries++;
        if (packet.dup) retransmissions++;
        seen.add(payload.toString());
        if (!cut && seen.size >= total / 2) {
          cut = true;
          proxy.cut();
          setTimeout(() => proxy.resume(), 300);
        }
      });
      await client.subscribeAsync(topic, { qos: 1 });
      const done = async () => {
        await waitFor(() => seen.size === total, {
          what: `${total} MQTT messages (${name})`,
          timeoutMs: 60_000,
        });
        // End the session on the broker too: a clean reconnect with no expiry discards it.
        await client.endAsync();
        await proxy.close();
        const cleanup = await connectAsync('mqtt://127.0.0.1:1883', {
          protocolVersion: 5,
          clientId,
          clean: true,
        });
        await cleanup.endAsync();
        return { seen, deliveries, retransmissions, reconnects, clientErrors };
      };
      return done;
    };
    const bareDone = await subscribe('bare', false);
    const instrumentedDone = await subscribe('instrumented', true);
    const publisher = await open(5);
    // Paced, so the stream is still flowing when each subscriber's connection is cut.
    for (let i = 0; i < total; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => publisher.publishAsync(topic, `${i + j}`, { qos: 1 })),
      );
      await sleep(20);
    }
    const [bare, instrumented] = await Promise.all([bareDone(), instrumentedDone()]);
    expect(bare.seen.size).toBe(total);
    expect(bare.reconnects).toBeGreaterThanOrEqual(1);
    expect(instrumented.reconnects).toBeGreaterThanOrEqual(1);
    expect([...instrumented.seen].sort()).toEqual([...bare.seen].sort());
    // Errors MQTT.js reports are the cut's own (socket errors), in both runs alike; none from eventscope.
    const fromCut = (error: Error) =>
      /ECONNRESET|EPIPE|ECONNREFUSED|closed|premature/i.test(
        `${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}`,
      );
    expect(bare.clientErrors.filter((e) => !fromCut(e))).toEqual([]);
    expect(instrumented.clientErrors.filter((e) => !fromCut(e))).toEqual([]);
    expect(counterTotal(store, 'instrumentationErrors')).toBe(0);
    const labels = { [attributes.destination]: topic };
    expect(counterTotal(store, 'consumedMessages', labels)).toBe(instrumented.deliveries);
    expect(counterTotal(store, 'redeliveredEvents', labels)).toBe(instrumented.retransmissions);
  });
});
