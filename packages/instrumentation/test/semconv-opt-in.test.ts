import { createRequire } from 'node:module';
import {
  INSTRUMENTATION_SCOPE,
  metricName,
  type NamingFlavor,
  SEMCONV_OPT_IN_ENV,
  type SemconvEmission,
  signals,
  successorDefinition,
} from '@eventscope/catalog';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { renderExposition } from '../src/export/exposition.js';
import { ensurePromClientCollector } from '../src/export/prom-client.js';
import { listenForScrapes, type MetricsServer } from '../src/export/server.js';
import { createMetricProducer, instrumentationScope } from '../src/otel/metric-producer.js';
import { SignalStore } from '../src/store.js';
import { parseExposition } from './support/text-format.js';

/**
 * A signal its semantic convention renamed (`v8js.memory.heap.limit` → `v8js.memory.heap.space.size`,
 * semconv 1.42) is exported under the old name, both names, or the new name, as
 * `OTEL_SEMCONV_STABILITY_OPT_IN` asks (`v8js/dup`, `v8js`), by every export path, with the same
 * values under each name.
 */

const old = signals.heapSpaceSize;
const renamed = successorDefinition(old);
const cases: { optIn: string | undefined; emission: SemconvEmission }[] = [
  { optIn: undefined, emission: 'old' },
  { optIn: 'http', emission: 'old' },
  { optIn: 'v8js/dup', emission: 'dup' },
  { optIn: 'http/dup, V8JS/dup ,v8js', emission: 'dup' },
  { optIn: 'v8js', emission: 'new' },
];
const expectedNames = (emission: SemconvEmission, flavor: NamingFlavor) =>
  ({ old: [old], dup: [old, renamed], new: [renamed] })[emission]
    .map((def) => metricName(def, flavor))
    .sort();

/** A store with one heap space's size set, as the runtime sampler sets it. */
function storeWith(optIn: string | undefined): SignalStore {
  const store = new SignalStore({ semconvOptIn: optIn ?? '' });
  store.series('heapSpaceSize', { 'v8js.heap.space.name': 'old_space' }).set(4_194_304);
  return store;
}

/** Names of the families carrying the heap-space size (value 4194304) in an exposition. */
function heapSpaceFamilies(text: string): string[] {
  const names = parseExposition(text)
    .samples.filter((s) => s.value === 4_194_304 && s.labels.v8js_heap_space_name === 'old_space')
    .map((s) => s.name);
  return [...new Set(names)].sort();
}

const servers: MetricsServer[] = [];
const providers: MeterProvider[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(providers.map((p) => p.shutdown()));
});

async function otelExposition(store: SignalStore): Promise<string> {
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [createMetricProducer(store)],
  });
  providers.push(new MeterProvider({ readers: [exporter] }));
  const server = await listenForScrapes({ port: 0 }, (req, res) =>
    exporter.getMetricsRequestHandler(req, res),
  );
  servers.push(server);
  return (await fetch(server.url)).text();
}

describe('renamed signals under OTEL_SEMCONV_STABILITY_OPT_IN', () => {
  it('the catalog records the successor the convention gave', () => {
    expect(old.name).toBe('v8js.memory.heap.limit');
    expect(old.successor).toMatchObject({
      name: 'v8js.memory.heap.space.size',
      optIn: 'v8js',
      since: '1.42.0',
    });
    expect(renamed).toMatchObject({
      key: 'heapSpaceSize',
      name: 'v8js.memory.heap.space.size',
      labels: old.labels,
    });
  });

  for (const { optIn, emission } of cases) {
    describe(`${SEMCONV_OPT_IN_ENV}=${optIn ?? '(unset)'}: ${emission}`, () => {
      it("eventscope's own exposition (prometheus flavor)", () => {
        expect(heapSpaceFamilies(renderExposition(storeWith(optIn)))).toEqual(
          expectedNames(emission, 'prometheus'),
        );
      });

      it('a prom-client registry (prometheus flavor)', async () => {
        const registry = new Registry();
        ensurePromClientCollector(storeWith(optIn), registry);
        expect(heapSpaceFamilies(await registry.metrics())).toEqual(expectedNames(emission, 'prometheus'));
      });

      it('the OpenTelemetry PrometheusExporter fed by the MetricProducer (otel flavor)', async () => {
        expect(heapSpaceFamilies(await otelExposition(storeWith(optIn)))).toEqual(
          expectedNames(emission, 'otel'),
        );
      });
    });
  }

  it('the default store follows the environment variable when it is created', () => {
    const saved = process.env[SEMCONV_OPT_IN_ENV];
    try {
      process.env[SEMCONV_OPT_IN_ENV] = 'v8js';
      expect(new SignalStore().exportedAs(old).map((d) => d.name)).toEqual(['v8js.memory.heap.space.size']);
      delete process.env[SEMCONV_OPT_IN_ENV];
      expect(new SignalStore().exportedAs(old).map((d) => d.name)).toEqual(['v8js.memory.heap.limit']);
    } finally {
      if (saved === undefined) delete process.env[SEMCONV_OPT_IN_ENV];
      else process.env[SEMCONV_OPT_IN_ENV] = saved;
    }
  });
});

describe("eventscope's instrumentation scope", () => {
  it("is the catalog's INSTRUMENTATION_SCOPE, the instrumentation package's name", () => {
    const own = createRequire(import.meta.url)('../package.json') as { name: string; version: string };
    expect(INSTRUMENTATION_SCOPE).toBe(own.name);
    expect(instrumentationScope).toEqual({ name: own.name, version: own.version });
  });

  it('is the otel_scope_name the OpenTelemetry exporter writes on its series', async () => {
    const text = await otelExposition(storeWith(undefined));
    const sample = parseExposition(text).samples.find((s) => s.name === metricName(old, 'otel'));
    expect(sample?.labels.otel_scope_name).toBe(INSTRUMENTATION_SCOPE);
  });
});
