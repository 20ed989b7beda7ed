import { metricName, type NamingFlavor, signalForSeries, signalList, signals } from '@eventscope/catalog';
import { promtoolBinary } from '@eventscope/testkit';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderExposition } from '../src/export/exposition.js';
import { ensurePromClientCollector } from '../src/export/prom-client.js';
import { listenForScrapes, type MetricsServer, serveMetrics } from '../src/export/server.js';
import { instrumentHandler } from '../src/handler.js';
import { createMetricProducer } from '../src/otel/metric-producer.js';
import { SignalStore } from '../src/store.js';
import { promtoolCheckMetrics } from './support/promtool.js';
import { awkwardDestinations, type RecordedEvents, recordEvents } from './support/recorded-events.js';
import { parseExposition, sampleKey } from './support/text-format.js';

/**
 * The same recorded events, exported three ways — eventscope's own exposition, a prom-client
 * registry, and the OpenTelemetry PrometheusExporter fed by the MetricProducer — must read the
 * same: same series, same labels (escaped correctly), same counts.
 */

/** Samples keyed by catalog identity (signal key, part, labels), whatever the naming flavor. */
function canonical(text: string, flavor: NamingFlavor): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of parseExposition(text).samples) {
    const found = signalForSeries(sample.name, flavor);
    if (!found) continue; // target_info, prom-client default metrics
    const labels = { ...sample.labels };
    delete labels.otel_scope_name;
    delete labels.otel_scope_version;
    const key = sampleKey(`${found.signal.key}:${found.part}`, labels);
    if (out.has(key)) throw new Error(`duplicate sample ${key}`);
    out.set(key, sample.value);
  }
  return out;
}

async function scrape(url: string): Promise<{ body: string; contentType: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return { body: await response.text(), contentType: response.headers.get('content-type') };
}

describe('the same events through every export path', () => {
  let recorded: RecordedEvents;
  const servers: MetricsServer[] = [];
  let meterProvider: MeterProvider;
  const bodies: Record<'eventscope' | 'promClient' | 'otel', string> = {
    eventscope: '',
    promClient: '',
    otel: '',
  };

  beforeAll(async () => {
    recorded = recordEvents();
    const ours = await serveMetrics({ port: 0, store: recorded.store });
    const registry = new Registry();
    registry.setDefaultLabels({});
    ensurePromClientCollector(recorded.store, registry);
    const viaPromClient = await serveMetrics({ port: 0, store: recorded.store, registry });
    const exporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [createMetricProducer(recorded.store)],
    });
    meterProvider = new MeterProvider({ readers: [exporter] });
    const viaOtel = await listenForScrapes({ port: 0 }, (req, res) =>
      exporter.getMetricsRequestHandler(req, res),
    );
    servers.push(ours, viaPromClient, viaOtel);
    const [a, b, c] = await Promise.all([scrape(ours.url), scrape(viaPromClient.url), scrape(viaOtel.url)]);
    expect(a.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(b.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    bodies.eventscope = a.body;
    bodies.promClient = b.body;
    bodies.otel = c.body;
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await meterProvider?.shutdown();
  });

  it('serves the same series, labels and values as the prom-client registry', () => {
    const ours = canonical(bodies.eventscope, 'prometheus');
    const promClient = canonical(bodies.promClient, 'prometheus');
    expect(ours.size).toBeGreaterThan(awkwardDestinations.length * 2 * 19);
    expect(promClient).toEqual(ours);
  });

  it('serves the same series and counts through the OpenTelemetry PrometheusExporter', () => {
    expect(canonical(bodies.otel, 'otel')).toEqual(canonical(bodies.eventscope, 'prometheus'));
  });

  it('counts every event exactly, per destination and outcome, on every path', () => {
    for (const [path, flavor] of [
      ['eventscope', 'prometheus'],
      ['promClient', 'prometheus'],
      ['otel', 'otel'],
    ] as const) {
      const samples = parseExposition(bodies[path]).samples;
      for (const destination of awkwardDestinations) {
        const ofDestination = (signalKey: string, part: string) =>
          samples.filter((s) => {
            const found = signalForSeries(s.name, flavor);
            return (
              found?.signal.key === signalKey &&
              found.part === part &&
              s.labels.messaging_destination_name === destination
            );
          });
        const counts = ofDestination('processDuration', 'count');
        expect(counts, `${path} ${JSON.stringify(destination)}`).toHaveLength(2);
        expect(counts.reduce((n, s) => n + s.value, 0)).toBe(recorded.processed.get(destination));
        const failed = counts.find((s) => s.labels.error_type === 'ValidationError');
        expect(failed?.value).toBe(recorded.failed.get(destination));
        const infBuckets = ofDestination('processDuration', 'bucket').filter((s) => s.labels.le === '+Inf');
        expect(infBuckets.reduce((n, s) => n + s.value, 0)).toBe(recorded.processed.get(destination));
        const consumed = ofDestination('consumedMessages', 'value');
        expect(consumed.reduce((n, s) => n + s.value, 0)).toBe(recorded.processed.get(destination));
      }
    }
  });

  it('writes buckets cumulatively with prom-client style le values', () => {
    const samples = parseExposition(bodies.eventscope).samples.filter(
      (s) =>
        s.name === 'messaging_process_duration_seconds_bucket' &&
        s.labels.messaging_destination_name === 'orders.created' &&
        s.labels.error_type === undefined,
    );
    expect(samples.map((s) => s.labels.le)).toEqual([
      '0.0001',
      '0.00025',
      '0.0005',
      '0.001',
      '0.0025',
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i]!.value).toBeGreaterThanOrEqual(samples[i - 1]!.value);
    }
  });

  it('keeps awkward destination names intact through escaping on every path', () => {
    for (const [path, flavor] of [
      ['eventscope', 'prometheus'],
      ['promClient', 'prometheus'],
      ['otel', 'otel'],
    ] as const) {
      const names = new Set(
        parseExposition(bodies[path])
          .samples.filter((s) => signalForSeries(s.name, flavor)?.signal.key === 'processDuration')
          .map((s) => s.labels.messaging_destination_name),
      );
      expect([...names].sort(), path).toEqual([...awkwardDestinations].sort());
    }
  });

  const promtool = promtoolBinary();
  describe.skipIf(!promtool)('promtool check metrics', () => {
    for (const path of ['eventscope', 'promClient', 'otel'] as const) {
      it(`accepts the ${path} exposition`, () => {
        const { status, output } = promtoolCheckMetrics(promtool!, bodies[path]);
        expect(output).toBe('');
        expect(status).toBe(0);
      });
    }
  });

  it('matches what renderExposition returns directly', () => {
    expect(canonical(renderExposition(recorded.store), 'prometheus')).toEqual(
      canonical(bodies.eventscope, 'prometheus'),
    );
  });
});

describe('the catalog naming flavors against the real exporters', () => {
  /** A store with one series of every catalog signal, every label set. */
  function everySignal(): SignalStore {
    const store = new SignalStore();
    for (const signal of signalList) {
      const labels = Object.fromEntries(signal.labels.map((l) => [l, 'x']));
      const series = store.series(signal.key as never, labels) as {
        observe?: (v: number) => void;
        add?: (n: number) => void;
      };
      if (series.observe) series.observe(0.001);
      else series.add?.(1);
    }
    return store;
  }

  it('names every family as metricName(signal, "otel") on the OpenTelemetry PrometheusExporter', async () => {
    const exporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [createMetricProducer(everySignal())],
    });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    const server = await listenForScrapes({ port: 0 }, (req, res) =>
      exporter.getMetricsRequestHandler(req, res),
    );
    try {
      const { types, samples } = parseExposition(await (await fetch(server.url)).text());
      expect(new Set(types.keys())).toEqual(
        new Set(['target_info', ...signalList.map((s) => metricName(s, 'otel'))]),
      );
      // The exporter adds its scope to every series; dashboards must aggregate it away.
      for (const sample of samples.filter((s) => s.name !== 'target_info')) {
        expect(sample.labels.otel_scope_name).toBe('@eventscope/instrumentation');
      }
    } finally {
      await server.close();
      await meterProvider.shutdown();
    }
  });

  it('names every family as metricName(signal, "prometheus") in a prom-client registry', async () => {
    const registry = new Registry();
    ensurePromClientCollector(everySignal(), registry);
    const { types } = parseExposition(await registry.metrics());
    expect(new Set(types.keys())).toEqual(new Set(signalList.map((s) => metricName(s, 'prometheus'))));
  });
});

describe('events recorded through instrumentHandler, exported both ways', () => {
  class ValidationError extends Error {
    override name = 'ValidationError';
  }

  it('reads the same on the prom-client path and the OTel exporter path, and promtool accepts both', async () => {
    const store = new SignalStore();
    const handle = instrumentHandler(
      (event: { destination: string; n: number }) => {
        if (event.n % 10 === 3) throw new ValidationError('bad order');
        return event.n;
      },
      {
        system: 'inprocess',
        destination: (event: { destination: string }) => event.destination,
        consumerGroup: 'billing',
        store,
        registry: false,
        runtime: false,
      },
    );
    let failures = 0;
    const failedOn = new Map<string, number>(awkwardDestinations.map((d) => [d, 0]));
    const total = awkwardDestinations.length * 40;
    for (let n = 0; n < total; n++) {
      const destination = awkwardDestinations[n % awkwardDestinations.length]!;
      try {
        handle({ destination, n });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        failures++;
        failedOn.set(destination, failedOn.get(destination)! + 1);
      }
    }
    const registry = new Registry();
    ensurePromClientCollector(store, registry);
    const exporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [createMetricProducer(store)],
    });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    const server = await listenForScrapes({ port: 0 }, (req, res) =>
      exporter.getMetricsRequestHandler(req, res),
    );
    try {
      const viaPromClient = await registry.metrics();
      const viaOtel = await (await fetch(server.url)).text();
      const ours = canonical(viaPromClient, 'prometheus');
      expect(canonical(viaOtel, 'otel')).toEqual(ours);
      const counted = (errorType: string | undefined) =>
        parseExposition(viaPromClient)
          .samples.filter(
            (s) => s.name === 'messaging_client_consumed_messages_total' && s.labels.error_type === errorType,
          )
          .reduce((n, s) => n + s.value, 0);
      expect(counted(undefined)).toBe(total - failures);
      expect(counted('ValidationError')).toBe(failures);
      // The failure counter, on both paths: one per failed call, and at 0 on the destinations
      // (half of them) whose events never failed.
      for (const [body, flavor] of [
        [viaPromClient, 'prometheus'],
        [viaOtel, 'otel'],
      ] as const) {
        const failed = parseExposition(body).samples.filter(
          (s) => s.name === metricName(signals.failedEvents, flavor),
        );
        expect(new Map(failed.map((s) => [s.labels.messaging_destination_name, s.value]))).toEqual(failedOn);
        expect(failedOn.get(awkwardDestinations[0])).toBe(0);
      }
      const promtool = promtoolBinary();
      if (promtool) {
        for (const body of [viaPromClient, viaOtel]) {
          const { status, output } = promtoolCheckMetrics(promtool, body);
          expect(output).toBe('');
          expect(status).toBe(0);
        }
      }
    } finally {
      await server.close();
      await meterProvider.shutdown();
    }
  });
});
