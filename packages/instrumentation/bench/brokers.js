// Through-the-broker cost: the same producer → broker → consumer run, bare and instrumented, side
// by side (interleaved, medians of 5 runs). NATS core and Redis Streams on 127.0.0.1; a broker
// that is not running is reported as skipped. Run `pnpm build` first.
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { connect } from 'nats';
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

const results = {};
for (const [name, run] of [
  ['nats-core', natsRun],
  ['redis-streams', redisRun],
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
