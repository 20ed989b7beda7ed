// Through-the-broker cost: the same producer → broker → consumer run, bare and instrumented, side
// by side (interleaved, medians of 5 runs). NATS core, Redis Streams, RabbitMQ and MQTT (QoS 1)
// on 127.0.0.1; a broker that is not running is reported as skipped. Adds `throughBroker` to
// results.json (run after hot-path.js, as `pnpm bench` does). Run `pnpm build` first.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { connect as amqpConnect } from 'amqplib';
import Redis from 'ioredis';
import { connectAsync as mqttConnect } from 'mqtt';
import { connect } from 'nats';
import { instrumentChannel } from '../dist/adapters/amqplib.js';
import { instrumentMqttClient } from '../dist/adapters/mqtt.js';
import { instrumentNatsConnection } from '../dist/adapters/nats.js';
import { instrumentRedisStreams, instrumentStreamHandler } from '../dist/adapters/redis-streams.js';
import { SignalStore } from '../dist/store.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const options = () => ({ store: new SignalStore(), registry: false, runtime: false });

async function natsRun(instrumented) {
  const raw = [await connect({ servers: '127.0.0.1:4222' }), await connect({ servers: '127.0.0.1:4222' })];
  const [pub, sub] = instrumented ? raw.map((nc) => instrumentNatsConnection(nc, options())) : raw;
  const subject = `bench.${Math.random().toString(36).slice(2)}`;
  let n = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  sub.subscribe(subject, { callback: () => ++n === EVENTS && done() });
  await sub.flush();
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    pub.publish(subject, 'x');
    if (i % 1000 === 999) await pub.flush();
  }
  await finished;
  const ms = performance.now() - start;
  for (const nc of raw) await nc.close();
  return ms;
}

async function redisRun(instrumented) {
  const raw = new Redis({ host: '127.0.0.1', port: 6379 });
  const opts = options();
  const redis = instrumented ? instrumentRedisStreams(raw, opts) : raw;
  const stream = `bench:${Math.random().toString(36).slice(2)}`;
  await redis.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
  const body = () => {};
  const handle = instrumented ? instrumentStreamHandler(body, { ...opts, stream, consumerGroup: 'g' }) : body;
  const start = performance.now();
  for (let i = 0; i < EVENTS; i += 500)
    await Promise.all(Array.from({ length: 500 }, () => redis.xadd(stream, '*', 'v', 'x')));
  let seen = 0;
  while (seen < EVENTS) {
    const reply = await redis.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1000, 'STREAMS', stream, '>');
    const entries = reply?.[0]?.[1] ?? [];
    for (const entry of entries) handle(entry);
    if (entries.length) await redis.xack(stream, 'g', ...entries.map((e) => e[0]));
    seen += entries.length;
  }
  const ms = performance.now() - start;
  await redis.del(stream);
  raw.disconnect();
  return ms;
}

async function rabbitRun(instrumented) {
  const connection = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
  const raw = await connection.createChannel();
  const channel = instrumented ? instrumentChannel(raw, options()) : raw;
  const queue = `bench.${Math.random().toString(36).slice(2)}`;
  await channel.assertQueue(queue, { durable: false, autoDelete: true });
  await channel.prefetch(1000);
  let n = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  await channel.consume(queue, (msg) => {
    channel.ack(msg);
    if (++n === EVENTS) done();
  });
  const start = performance.now();
  const body = Buffer.from('x');
  for (let i = 0; i < EVENTS; i++) {
    if (!channel.sendToQueue(queue, body)) await new Promise((r) => channel.once('drain', r));
  }
  await finished;
  const ms = performance.now() - start;
  await connection.close();
  return ms;
}

async function mqttRun(instrumented) {
  const raw = [
    await mqttConnect('mqtt://127.0.0.1:1883', { protocolVersion: 5, clean: true }),
    await mqttConnect('mqtt://127.0.0.1:1883', { protocolVersion: 5, clean: true }),
  ];
  const [pub, sub] = instrumented ? raw.map((c) => instrumentMqttClient(c, options())) : raw;
  const topic = `bench/${Math.random().toString(36).slice(2)}`;
  let n = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  sub.on('message', () => ++n === EVENTS && done());
  await sub.subscribeAsync(topic, { qos: 1 });
  const start = performance.now();
  for (let i = 0; i < EVENTS; i += 500)
    await Promise.all(Array.from({ length: 500 }, () => pub.publishAsync(topic, 'x', { qos: 1 })));
  await finished;
  const ms = performance.now() - start;
  for (const c of raw) await c.endAsync();
  return ms;
}

const results = {};
for (const [name, run] of [
  ['nats-core', natsRun],
  ['redis-streams', redisRun],
  ['rabbitmq', rabbitRun],
  ['mqtt', mqttRun],
]) {
  try {
    const bare = [];
    const inst = [];
    for (let r = 0; r < RUNS; r++) {
      bare.push(await run(false));
      inst.push(await run(true));
    }
    const b = median(bare);
    const i = median(inst);
    results[name] = {
      events: EVENTS,
      bareEventsPerSecond: Math.round((EVENTS / b) * 1000),
      instrumentedEventsPerSecond: Math.round((EVENTS / i) * 1000),
      overheadNsPerEvent: Math.round(((i - b) / EVENTS) * 1e6),
    };
  } catch (error) {
    results[name] = { skipped: String(error?.message ?? error) };
  }
}
console.table(results);

const resultsFile = new URL('./results.json', import.meta.url);
let saved = {};
try {
  saved = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  // no hot-path results yet: write the broker figures alone
}
saved.throughBroker = { runs: RUNS, measuredAt: new Date().toISOString(), results };
writeFileSync(resultsFile, `${JSON.stringify(saved, null, 2)}\n`);
console.log(`wrote ${resultsFile.pathname} (throughBroker)`);
