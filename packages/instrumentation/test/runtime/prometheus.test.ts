import { attributes, labelName, metricName } from '@eventscope/catalog';
import {
  prometheusBinary,
  type RunningPrometheus,
  scrapeConfig,
  startPrometheus,
  waitFor,
} from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsServer, serveMetrics } from '../../src/export/server.js';
import { instrumentHandler } from '../../src/handler.js';
import { startRuntimeMetrics, stopRuntimeMetrics } from '../../src/runtime/index.js';
import { SignalStore } from '../../src/store.js';
import { exposeGc, settle } from './expose-gc.js';

/**
 * The runtime signals and the GC share as a real Prometheus sees them: a wrapped handler forced
 * into GC pauses, served on /metrics, scraped every second, queried with PromQL.
 */

const binary = prometheusBinary();
const destination = labelName(attributes.destination);

describe.skipIf(!binary)('runtime signals in Prometheus', () => {
  const gc = exposeGc();
  const store = new SignalStore();
  let server: MetricsServer;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    startRuntimeMetrics({ store, logger: false, slowEventSettleMs: 20 });
    server = await serveMetrics({ store, port: 0 });
    prometheus = await startPrometheus({ config: scrapeConfig([`127.0.0.1:${server.port}`]) });
    await prometheus.waitForTargets(1);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    stopRuntimeMetrics();
  });

  const value = async (expr: string) => (await prometheus.query(expr))[0]?.value ?? Number.NaN;

  it('exposes GC pauses by type, heap, RSS and loop delay, and the share of handler time in GC', async () => {
    const retained: number[][] = [];
    const handle = instrumentHandler(
      (_event: unknown) => {
        for (let j = 0; j < 2000; j++) retained.push(new Array(100).fill(j));
        if (retained.length > 40_000) retained.length = 0;
        gc();
      },
      {
        system: 'inprocess',
        destination: 'orders.created',
        store,
        registry: false,
        tracing: false,
        slowThreshold: 3,
      },
    );
    const until = performance.now() + 3000;
    let events = 0;
    while (performance.now() < until) {
      handle({});
      events++;
      await settle(20);
    }
    await settle(100); // the last GC entries and slow events are in
    const processed = `${metricName('processDuration')}_count{${destination}="orders.created"}`;
    const majorPauses = `${metricName('gcDuration')}_count{${labelName(attributes.gcType)}="major"}`;
    // a scrape taken after the last event and its pause
    await waitFor(async () => (await value(processed)) === events && (await value(majorPauses)) >= events, {
      timeoutMs: 15_000,
    });

    const share = await value(
      `sum(${metricName('gcOverlap')}{${destination}="orders.created"}) / sum(${metricName('processDuration')}_sum{${destination}="orders.created"})`,
    );
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThanOrEqual(1);
    expect(
      await value(
        `${metricName('slowEvents')}{${destination}="orders.created",${labelName(attributes.slowCause)}="gc"}`,
      ),
    ).toBeGreaterThan(0);
    expect(
      await value(`${metricName('heapUsed')}{${labelName(attributes.heapSpace)}="old_space"}`),
    ).toBeGreaterThan(0);
    expect(await value(metricName('heapSizeLimit'))).toBeGreaterThan(0);
    expect(await value(metricName('memoryRss'))).toBeGreaterThan(0);
    expect(await value(`${metricName('loopDelay')}_count`)).toBeGreaterThan(0);
    expect(
      await value(`${metricName('loopTime')}{${labelName(attributes.loopState)}="active"}`),
    ).toBeGreaterThan(0);
    expect(await value(`${metricName('cpuTime')}{${labelName(attributes.cpuMode)}="user"}`)).toBeGreaterThan(
      0,
    );
    expect(await value(metricName('processStartTime'))).toBeGreaterThan(1.6e9);
  });
});
