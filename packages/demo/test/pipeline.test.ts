import { attributes, labelName, metricName, type SignalKey, signalList } from '@eventscope/catalog';
import { afterEach, describe, expect, it } from 'vitest';
import {
  INVALID_ORDER_EVERY,
  LiveStatsSampler,
  pipelineNames,
  type RunningPipeline,
  startPipeline,
} from '../src/index.js';
import { demoSignals } from '../src/readme.js';

const running: RunningPipeline[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function start(options: Parameters<typeof startPipeline>[0]) {
  const pipeline = await startPipeline({ logger: false, ...options });
  running.push(pipeline);
  return pipeline;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sum of the samples of one metric whose labels include every given pair. */
function sumOf(exposition: string, metric: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

describe('in-process pipeline', () => {
  it('serves both destinations, the billing group and 1 in 2,000 orders as ValidationErrors on /metrics', async () => {
    const pipeline = await start({ rate: 400 });
    expect(pipeline.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // The 1,000th order is the first invalid one: 2.5 s in at 400 orders/s.
    await sleep(4000);
    const text = await scrape(pipeline.metricsUrl);
    const processed = `${metricName('processDuration')}_count`;
    const system = labelName(attributes.system);
    const destination = labelName(attributes.destination);
    const group = labelName(attributes.consumerGroup);
    for (const name of [pipelineNames.orders, pipelineNames.payments]) {
      expect(
        sumOf(text, processed, { [system]: 'inprocess', [destination]: name, [group]: 'billing' }),
      ).toBeGreaterThan(100);
    }
    const orders = sumOf(text, processed, { [destination]: pipelineNames.orders });
    const failed = sumOf(text, processed, {
      [destination]: pipelineNames.orders,
      [labelName(attributes.errorType)]: 'ValidationError',
    });
    // One in INVALID_ORDER_EVERY fails: inside the 99.9 % objective's budget.
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThanOrEqual(Math.ceil(orders / INVALID_ORDER_EVERY));
    expect(failed / orders).toBeLessThan(0.001);
    expect(
      sumOf(text, metricName('sentMessages'), { [destination]: pipelineNames.payments }),
    ).toBeGreaterThan(100);
    expect(sumOf(text, `${metricName('eventAge')}_count`)).toBeGreaterThan(100);
    expect(sumOf(text, metricName('heapSizeLimit'))).toBeGreaterThan(0);
    const counts = pipeline.counts();
    expect(counts.published).toBeGreaterThan(600);
    expect(counts.failed).toBeGreaterThan(0);
  });

  it('serves the backlog the broker holds for the billing group of both destinations', async () => {
    const pipeline = await start({ rate: 200 });
    await sleep(1500);
    const text = await scrape(pipeline.metricsUrl);
    const labelsOf = (name: string) => ({
      [labelName(attributes.system)]: 'inprocess',
      [labelName(attributes.destination)]: name,
      [labelName(attributes.consumerGroup)]: 'billing',
    });
    const has = (metric: string, name: string) =>
      text.split('\n').some((line) => line.startsWith(`${metric}{`) && line.includes(`="${name}"`));
    for (const name of [pipelineNames.orders, pipelineNames.payments]) {
      expect(sumOf(text, metricName('backlogConsumers'), labelsOf(name))).toBe(1);
      for (const key of ['backlogWaiting', 'backlogUnsettled', 'backlogOldestAge'] as const) {
        expect(has(metricName(key), name), `${key} of ${name}`).toBe(true);
      }
      // A consumer keeping up: the oldest waiting message is at most a moment old.
      expect(sumOf(text, metricName('backlogOldestAge'), labelsOf(name))).toBeLessThan(1);
    }
    // It never redelivers, and says nothing rather than 0.
    expect(has(metricName('backlogRedelivered'), pipelineNames.orders)).toBe(false);
  });

  it('serves the OpenTelemetry exporter naming with flavor otel', async () => {
    const pipeline = await start({ rate: 200, flavor: 'otel', serviceName: 'demo-test' });
    await sleep(1500);
    const text = await scrape(pipeline.metricsUrl);
    expect(sumOf(text, `${metricName('processDuration', 'otel')}_count`)).toBeGreaterThan(50);
    expect(text).not.toContain(`${metricName('processDuration', 'prometheus')}_count`);
    expect(text).toContain('demo-test');
    expect((await fetch(pipeline.metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('gc-pressure raises GC time share and p99 latency with slow events attributed to GC; fixed releases it', async () => {
    const pipeline = await start({ rate: 200 });
    const sampler = new LiveStatsSampler(pipeline.store, 6);
    sampler.sample();
    await sleep(6000);
    const steady = sampler.sample();
    expect(steady.eventsPerSecond).toBeGreaterThan(200);

    pipeline.setScenario('gc-pressure');
    expect(pipeline.scenario).toBe('gc-pressure');
    await sleep(6000);
    const pressure = sampler.sample();
    expect(pipeline.counts().retainedObjects).toBeGreaterThan(100_000);
    expect(pressure.gcTimeShare).toBeGreaterThan(steady.gcTimeShare * 2);
    // A steady window may hold no GC pause at all (p99 NaN): then any pause is longer.
    expect(pressure.gcPauseP99).toBeGreaterThan(Number.isNaN(steady.gcPauseP99) ? 0 : steady.gcPauseP99);
    expect(pressure.latencyP99).toBeGreaterThan(steady.latencyP99);
    expect(pressure.slowByCause.gc).toBeGreaterThan(0);
    expect(pressure.slowByCause.gc).toBeGreaterThan(pressure.slowByCause.handler);
    expect(pressure.handlerGcShare).toBeGreaterThan(steady.handlerGcShare);

    pipeline.setScenario('fixed');
    expect(pipeline.counts().retainedObjects).toBe(0);
  });

  it('carries exactly the signals its README lists on /metrics', async () => {
    const pipeline = await start({ rate: 400 });
    await sleep(2000);
    pipeline.store.collect();
    const withSeries = signalList
      .filter((signal) => pipeline.store.family(signal.key as SignalKey).series.size > 0)
      .map((signal) => signal.key);
    expect(withSeries.sort()).toEqual([...demoSignals].sort());
    const text = await scrape(pipeline.metricsUrl);
    for (const key of demoSignals) expect(text).toContain(`# TYPE ${metricName(key)} `);
  });

  it('rejects bad options with a message that says what to use', async () => {
    await expect(startPipeline({ scenario: 'chaos' as never })).rejects.toThrow(
      /steady, gc-pressure or fixed/,
    );
    await expect(startPipeline({ rate: -5 })).rejects.toThrow(/rate must be a positive number/);
    await expect(startPipeline({ flavor: 'statsd' as never })).rejects.toThrow(/prometheus or otel/);
  });
});
