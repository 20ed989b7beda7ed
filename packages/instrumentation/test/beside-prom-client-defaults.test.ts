import { createServer, type Server } from 'node:http';
import { resolveConfig } from '@eventscope/config';
import { Queries } from '@eventscope/config/promql';
import {
  prometheusBinary,
  type RunningPrometheus,
  scrapeConfig,
  startPrometheus,
  waitFor,
} from '@eventscope/testkit';
import client from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePromClientCollector } from '../src/export/prom-client.js';
import { startRuntimeMetrics, stopRuntimeMetrics } from '../src/runtime/index.js';
import { SignalStore } from '../src/store.js';

/**
 * eventscope beside prom-client's `collectDefaultMetrics()` in one registry, scraped by a real
 * Prometheus: no family twice, an exposition Prometheus takes, and where both measure the same
 * thing the numbers agree — start time within 1 s, RSS and heap in use within 5 % (both are sampled
 * at the same scrape, a few hundred microseconds apart, so only what the process allocates between
 * the two reads differs).
 */

const available = Boolean(prometheusBinary());
const q = new Queries(resolveConfig({}));

describe.skipIf(!available)("beside prom-client's default metrics", () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('one registry: distinct families, parsed by Prometheus, the shared quantities agree', {
    timeout: 60_000,
  }, async () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const store = new SignalStore();
    startRuntimeMetrics({ store, logger: false });
    cleanups.push(() => stopRuntimeMetrics());
    ensurePromClientCollector(store, registry);

    const exposition = await registry.metrics();
    const families = [...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    expect(families.length).toBeGreaterThan(20);
    expect(families.filter((name, i) => families.indexOf(name) !== i)).toEqual([]);
    expect(families).toContain(q.name('heapUsed'));
    expect(families).toContain('nodejs_heap_size_used_bytes');

    const server: Server = createServer(async (_req, res) => {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as { port: number }).port;
    const prometheus: RunningPrometheus = await startPrometheus({
      config: scrapeConfig([`127.0.0.1:${port}`], { interval: '1s' }),
    });
    cleanups.push(() => prometheus.stop());
    await prometheus.waitForTargets(1);

    const value = async (expr: string) => (await prometheus.query(expr))[0]?.value ?? Number.NaN;
    await waitFor(async () => (await value('up')) === 1 && !Number.isNaN(await value(q.name('heapUsed'))), {
      timeoutMs: 15_000,
    });
    // Every line of the exposition was ingested: as many samples as it has.
    const samples = exposition.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    expect(await value('scrape_samples_scraped')).toBeGreaterThanOrEqual(samples * 0.9);

    const start = await value(`sum(${q.name('processStartTime')}) - sum(process_start_time_seconds)`);
    expect(Math.abs(start)).toBeLessThanOrEqual(1);
    const rss = await value(`sum(${q.name('memoryRss')}) / sum(process_resident_memory_bytes)`);
    expect(Math.abs(rss - 1)).toBeLessThan(0.05);
    const heap = await value(`sum(${q.name('heapUsed')}) / sum(nodejs_heap_size_used_bytes)`);
    expect(Math.abs(heap - 1)).toBeLessThan(0.05);
  });
});
