// Redis Streams producer: entries counted per path (xadd, pipeline(), multi()) and the bytes Redis
// keeps per entry, bare and instrumented. Run after a build: node bench/redis-entry.mjs
import { Redis } from 'ioredis';
import { instrumentRedisStreams } from '../dist/adapters/redis-streams.js';
import { SignalStore } from '../dist/store.js';

const opts = (store) => ({ store, registry: false, runtime: false, tracing: false });
const sent = (store, stream) =>
  [...store.family('sentMessages').series.values()]
    .filter((s) => s.values[1] === stream)
    .reduce((n, s) => n + s.value, 0);

const store = new SignalStore();
const bare = new Redis({ host: '127.0.0.1', port: 6379 });
const redis = instrumentRedisStreams(new Redis({ host: '127.0.0.1', port: 6379 }), opts(store));
const tag = `es-bench-${process.pid}`;

// 1. Entries counted per path, 100 entries each.
const counts = {};
for (const path of ['xadd', 'pipeline', 'multi']) {
  const stream = `${tag}-${path}`;
  if (path === 'xadd')
    await Promise.all(Array.from({ length: 100 }, () => redis.xadd(stream, '*', 'v', 'x')));
  else {
    const q = redis[path]();
    for (let i = 0; i < 100; i++) q.xadd(stream, '*', 'v', 'x');
    await q.exec();
  }
  counts[path] = `${sent(store, stream)}/${await bare.xlen(stream)}`;
  await bare.del(stream);
}

// 2. Bytes per entry Redis keeps: 10,000 entries written bare and instrumented.
async function bytesPerEntry(client) {
  const stream = `${tag}-mem`;
  for (let i = 0; i < 10_000; i += 500)
    await Promise.all(Array.from({ length: 500 }, () => client.xadd(stream, '*', 'v', 'x')));
  const bytes = await bare.memory('USAGE', stream, 'SAMPLES', 0);
  await bare.del(stream);
  return bytes / 10_000;
}
const bareBytes = await bytesPerEntry(bare);
const instrumentedBytes = await bytesPerEntry(redis);

console.log(
  JSON.stringify(
    {
      countedOfWritten: counts,
      bytesPerEntry: {
        bare: bareBytes,
        instrumented: instrumentedBytes,
        added: instrumentedBytes - bareBytes,
      },
    },
    null,
    1,
  ),
);
bare.disconnect();
redis.disconnect();
