import { attributes } from '@eventscope/catalog';
import { needService, waitFor } from '@eventscope/testkit';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMqttClient } from '../../src/adapters/mqtt.js';
import { SignalStore } from '../../src/store.js';
import { uniqueName } from './support/run-id.js';
import { countAbove, counterTotal, histogramTotals } from './support/series.js';
import { consumerParentage, recordSpans } from './support/spans.js';

const available = await needService('mosquitto', 1883, 'mosquitto -p 1883');
const N = 10_000;
const base = { registry: false as const, runtime: false, slowThreshold: 0 };

describe.skipIf(!available)('MQTT adapter against Mosquitto on 127.0.0.1:1883', () => {
  let spans: ReturnType<typeof recordSpans>;
  const clients: MqttClient[] = [];
  const open = async (protocolVersion: 4 | 5) => {
    const client = await connectAsync('mqtt://127.0.0.1:1883', { protocolVersion, clean: true });
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
});
