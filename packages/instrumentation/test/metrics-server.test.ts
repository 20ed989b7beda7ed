import { Agent, request } from 'node:http';
import { attributes } from '@eventscope/catalog';
import { Counter, register as globalRegister, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePromClientCollector } from '../src/export/prom-client.js';
import { type MetricsServer, serveMetrics } from '../src/export/server.js';
import { SignalStore } from '../src/store.js';
import { parseExposition } from './support/text-format.js';

const open: MetricsServer[] = [];
async function serve(options: Parameters<typeof serveMetrics>[0]): Promise<MetricsServer> {
  const server = await serveMetrics({ port: 0, ...options });
  open.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function storeWithOneEvent(): SignalStore {
  const store = new SignalStore();
  store
    .series('consumedMessages', { [attributes.system]: 'inprocess', [attributes.destination]: 'orders' })
    .add(1);
  return store;
}

describe('serveMetrics', () => {
  it('listens on 127.0.0.1 by default and answers /metrics with the 0.0.4 content type', async () => {
    const server = await serve({ store: storeWithOneEvent() });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { samples } = parseExposition(await response.text());
    expect(samples).toContainEqual({
      name: 'messaging_client_consumed_messages_total',
      labels: { messaging_system: 'inprocess', messaging_destination_name: 'orders' },
      value: 1,
    });
  });

  it('answers 404 on other paths, 405 on other methods, and HEAD without a body', async () => {
    const server = await serve({ store: storeWithOneEvent() });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/extra`)).status).toBe(404);
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('listens on every interface only when told to', async () => {
    const server = await serve({ host: '0.0.0.0', store: storeWithOneEvent() });
    expect(server.url).toBe(`http://0.0.0.0:${server.port}/metrics`);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(200);
  });

  it('closes cleanly even with a keep-alive connection open', async () => {
    const server = await serveMetrics({ port: 0, store: storeWithOneEvent() });
    // A kept-alive socket from a finished request would hold server.close() open.
    await new Promise<void>((resolve, reject) => {
      const req = request(server.url, { agent: new Agent({ keepAlive: true }) }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('serves a prom-client registry with its own metrics and eventscope series side by side', async () => {
    const registry = new Registry();
    const own = new Counter({ name: 'app_jobs_total', help: 'jobs', registers: [registry] });
    own.inc(3);
    const server = await serve({ registry, store: storeWithOneEvent() });
    const { samples } = parseExposition(await (await fetch(server.url)).text());
    expect(samples.find((s) => s.name === 'app_jobs_total')?.value).toBe(3);
    expect(samples.find((s) => s.name === 'messaging_client_consumed_messages_total')?.value).toBe(1);
  });

  it("serves prom-client's global register with registry: 'global'", async () => {
    const store = storeWithOneEvent();
    const server = await serve({ registry: 'global', store });
    const body = await (await fetch(server.url)).text();
    expect(body).toContain('messaging_client_consumed_messages_total{');
    expect(globalRegister.getSingleMetric('messaging_client_consumed_messages_total')).toBeDefined();
  });

  it('answers 500 and counts the fault when the registry fails, and serves again afterwards', async () => {
    const store = new SignalStore();
    let fail = true;
    const registry = {
      registerMetric: () => {},
      metrics: async () => {
        if (fail) throw new Error('registry broke');
        return '# nothing\n';
      },
    };
    const server = await serve({ registry, store });
    expect((await fetch(server.url)).status).toBe(500);
    expect(store.series('instrumentationErrors', { [attributes.component]: 'metrics-server' }).value).toBe(1);
    fail = false;
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('still serves when a collect hook throws, counting the fault', async () => {
    const store = storeWithOneEvent();
    store.onCollect(() => {
      throw new Error('sampler broke');
    });
    const server = await serve({ store });
    expect((await fetch(server.url)).status).toBe(200);
    expect(store.series('instrumentationErrors', { [attributes.component]: 'collect' }).value).toBe(1);
  });

  it('rejects a registry that is not one, and a port already taken', async () => {
    await expect(serveMetrics({ port: 0, registry: { nope: true } })).rejects.toThrow(/prom-client Registry/);
    const first = await serve({ store: new SignalStore() });
    await expect(serveMetrics({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('ensurePromClientCollector', () => {
  it('is idempotent per (store, registry) and reads several stores into one registry', async () => {
    const registry = new Registry();
    const a = storeWithOneEvent();
    const b = new SignalStore();
    b.series('consumedMessages', { [attributes.system]: 'nats', [attributes.destination]: 'payments' }).add(
      2,
    );
    ensurePromClientCollector(a, registry);
    ensurePromClientCollector(a, registry);
    ensurePromClientCollector(b, registry);
    const { samples, types } = parseExposition(await registry.metrics());
    expect(types.get('messaging_client_consumed_messages_total')).toBe('counter');
    const consumed = samples.filter((s) => s.name === 'messaging_client_consumed_messages_total');
    expect(consumed.map((s) => [s.labels.messaging_destination_name, s.value])).toEqual([
      ['orders', 1],
      ['payments', 2],
    ]);
  });

  it('re-registers after register.clear() and never counts a fault for its own re-registration', async () => {
    const registry = new Registry();
    const store = storeWithOneEvent();
    ensurePromClientCollector(store, registry);
    registry.clear();
    ensurePromClientCollector(store, registry);
    expect(await registry.metrics()).toContain('messaging_client_consumed_messages_total{');
    expect(store.series('instrumentationErrors', { [attributes.component]: 'prom-client' }).value).toBe(0);
  });

  it('counts a name clash as a fault instead of throwing', () => {
    const registry = new Registry();
    new Counter({ name: 'messaging_client_consumed_messages_total', help: 'taken', registers: [registry] });
    const store = new SignalStore();
    expect(() => ensurePromClientCollector(store, registry)).not.toThrow();
    expect(store.series('instrumentationErrors', { [attributes.component]: 'prom-client' }).value).toBe(1);
  });

  it('does nothing for registry false', () => {
    expect(() => ensurePromClientCollector(new SignalStore(), false)).not.toThrow();
  });

  it('runs the store collect hooks once per scrape, not once per family', async () => {
    const registry = new Registry();
    const store = storeWithOneEvent();
    let collections = 0;
    store.onCollect(() => {
      collections++;
    });
    ensurePromClientCollector(store, registry);
    await registry.metrics();
    expect(collections).toBe(1);
    await registry.metrics();
    expect(collections).toBe(2);
  });

  it('keeps counter names right when the registry serves OpenMetrics', async () => {
    // prom-client's types omit the constructor's content-type argument that its runtime takes.
    const OpenMetricsRegistry = Registry as unknown as new (contentType: string) => Registry;
    const registry = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
    ensurePromClientCollector(storeWithOneEvent(), registry);
    const first = await registry.metrics();
    ensurePromClientCollector(storeWithOneEvent(), registry);
    const second = await registry.metrics();
    for (const body of [first, second]) {
      expect(body).toContain('# TYPE messaging_client_consumed_messages counter');
      expect(body).toContain('messaging_client_consumed_messages_total{');
      expect(body).not.toContain('_total_total');
    }
  });
});

describe('ensurePromClientCollector for JSON and cluster aggregation', () => {
  it('gives getMetricsAsJSON every bucket with all its labels', async () => {
    const registry = new Registry();
    const store = new SignalStore();
    store
      .series('processDuration', { [attributes.system]: 'inprocess', [attributes.destination]: 'orders' })
      .observe(0.003);
    ensurePromClientCollector(store, registry);
    const json = await registry.getMetricsAsJSON();
    const duration = json.find((m) => m.name === 'messaging_process_duration_seconds')!;
    const inf = duration.values.find((v) => v.labels.le === '+Inf')!;
    expect(inf.labels).toEqual({
      messaging_system: 'inprocess',
      messaging_destination_name: 'orders',
      le: '+Inf',
    });
    expect(inf.value).toBe(1);
    const le0005 = duration.values.find((v) => v.labels.le === 0.0025)!;
    expect(le0005.value).toBe(0);
  });
});
