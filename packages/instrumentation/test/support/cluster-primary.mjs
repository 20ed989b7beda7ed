// A node:cluster primary with two workers, as a service in cluster mode runs: each worker wraps a
// handler (eventscope into prom-client's global register) and handles its own number of events;
// the primary serves prom-client's AggregatorRegistry. Prints one JSON line: each worker's own
// metrics (getMetricsAsJSON), the aggregate of exactly those snapshots, and one live
// clusterMetrics() exposition. Run by test/cluster-mode.test.ts against the built package.
import cluster from 'node:cluster';
import promClient from 'prom-client';

const EVENTS = [300, 700];

async function worker() {
  const { instrumentHandler } = await import('../../dist/index.js');
  const events = Number(process.env.EVENTS);
  const handle = instrumentHandler((event) => event.n * 2, {
    system: 'inprocess',
    destination: 'orders',
    tracing: false,
  });
  new promClient.AggregatorRegistry(); // in a worker, this answers the primary's requests
  for (let n = 0; n < events; n++) handle({ n });
  await new Promise((resolve) => setTimeout(resolve, 200)); // a few loop-delay samples
  process.on('message', async (message) => {
    if (message !== 'snapshot') return;
    process.send({ snapshot: await promClient.register.getMetricsAsJSON() });
  });
  process.send('ready');
}

function ask(worker) {
  return new Promise((resolve) => {
    const listen = (message) => {
      if (!message?.snapshot) return;
      worker.off('message', listen);
      resolve(message.snapshot);
    };
    worker.on('message', listen);
    worker.send('snapshot');
  });
}

async function primary() {
  const workers = EVENTS.map((events) => cluster.fork({ EVENTS: String(events) }));
  await Promise.all(
    workers.map((w) => new Promise((resolve) => w.on('message', (m) => m === 'ready' && resolve()))),
  );
  const snapshots = [];
  for (const w of workers) snapshots.push(await ask(w));
  const aggregated = await promClient.AggregatorRegistry.aggregate(snapshots).getMetricsAsJSON();
  const live = await new promClient.AggregatorRegistry().clusterMetrics();
  process.stdout.write(`${JSON.stringify({ events: EVENTS, snapshots, aggregated, live })}\n`);
  for (const w of workers) w.kill();
}

if (cluster.isPrimary) await primary();
else await worker();
