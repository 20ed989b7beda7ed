import { resolveConfig } from '@eventscope/config';
import { errorRatio, errorRatioByType, label, Queries, sum } from '@eventscope/config/promql';
import {
  needService,
  prometheusBinary,
  type RunningPrometheus,
  scrapeConfig,
  startPrometheus,
  waitFor,
} from '@eventscope/testkit';
import { type ConsumeMessage, connect } from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { instrumentChannel } from '../src/adapters/amqplib.js';
import { type MetricsServer, serveMetrics } from '../src/export/server.js';
import { instrumentHandler } from '../src/handler.js';
import { SignalStore } from '../src/store.js';
import { uniqueName, ValidationError } from './adapters/support/run-id.js';

/**
 * The first dead letter, the first instrumentation fault and the first overflowed event of a
 * service that is already being scraped, as the alerts see them in a real Prometheus: a counter
 * series that first appears at 1 is invisible to increase(), so each of these counters must be
 * there at 0 before its first increment. So must the failures the error ratio counts: the first
 * failure of a new `error.type` raises it.
 */

const rabbit = await needService('rabbitmq', 5672, 'rabbitmq-server (guest/guest)');
const available = rabbit && Boolean(prometheusBinary());
const url = 'amqp://guest:guest@127.0.0.1:5672';
const base = { registry: false as const, runtime: false, tracing: false, slowThreshold: 0 };
const q = new Queries(resolveConfig({}));
const WINDOW = '1m';
/** The alerts' shape for counters (`increasedAtAll`): any increase over the window, per `by`. */
const increased = (signal: Parameters<Queries['increase']>[0], by: string[]) =>
  `${sum(by, q.increase(signal, 'value', WINDOW))} > 0`;

describe.skipIf(!available)('first increments, scraped by Prometheus', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('the first dead letter, fault, overflow and failure after scraping starts are seen', {
    timeout: 60_000,
  }, async () => {
    const store = new SignalStore();
    // A second service whose destination budget is one: its second destination overflows.
    const small = new SignalStore({ destinationBudget: 1 });
    const servers: MetricsServer[] = [
      await serveMetrics({ store, port: 0 }),
      await serveMetrics({ store: small, port: 0 }),
    ];
    cleanups.push(...servers.map((s) => () => s.close()));
    const prometheus: RunningPrometheus = await startPrometheus({
      config: scrapeConfig(
        servers.map((s) => `127.0.0.1:${s.port}`),
        { interval: '1s', job: 'billing' },
      ),
    });
    cleanups.push(() => prometheus.stop());

    // The service starts: a RabbitMQ consumer of a queue nothing has arrived on yet, a handler with a fixed destination, one whose
    // destination function will fail, and one on the small store. Nothing has failed yet.
    const queue = uniqueName('es.first');
    const connection = await connect(url);
    cleanups.push(() => connection.close());
    const channel = instrumentChannel(await connection.createChannel(), { ...base, store });
    await channel.assertQueue(queue, { autoDelete: true });
    await channel.consume(queue, (message: ConsumeMessage | null) => {
      if (message === null) return;
      if (message.content.toString() === 'poison') channel.nack(message, false, false);
      else channel.ack(message);
    });
    const orders = instrumentHandler(
      (event: { bad?: boolean }) => {
        if (event.bad) throw new ValidationError('bad order');
      },
      { ...base, store, system: 'inprocess', destination: 'orders' },
    );
    let failDestination = false;
    const routed = instrumentHandler((_event: unknown) => {}, {
      ...base,
      store,
      system: 'inprocess',
      destination: () => {
        if (failDestination) throw new Error('no destination');
        return 'routed';
      },
    });
    const tenant = instrumentHandler((_event: unknown) => {}, {
      ...base,
      store: small,
      system: 'inprocess',
      destination: (event: { tenant: string }) => event.tenant,
    });
    for (let i = 0; i < 20; i++) {
      orders({});
      routed({});
      tenant({ tenant: 'a' });
    }
    await prometheus.waitForTargets(2);
    await new Promise((r) => setTimeout(r, 3000)); // several scrapes of the healthy service

    // Then, once each: a dead letter, a fault, an overflowed event, a failed event.
    channel.sendToQueue(queue, Buffer.from('poison'));
    failDestination = true;
    routed({});
    tenant({ tenant: 'b' });
    expect(() => orders({ bad: true })).toThrow(ValidationError);
    for (let i = 0; i < 20; i++) orders({});

    const value = async (expr: string) => (await prometheus.query(expr))[0]?.value;
    const dead = `sum(${q.name('deadLetteredEvents')})`;
    await waitFor(async () => (await value(dead)) === 1, { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 2000)); // a few scrapes at the new values

    const deadLetters = await prometheus.query(increased('deadLetteredEvents', q.byDestination));
    const faults = await prometheus.query(
      increased('instrumentationErrors', [...q.byInstance, label.component]),
    );
    const overflow = await prometheus.query(
      increased('labelOverflow', [q.service, label.instance, label.system]),
    );
    expect({
      deadLetters: deadLetters.map((s) => s.metric[label.destination]),
      faults: faults.map((s) => s.metric[label.component]),
      overflow: overflow.map((s) => s.metric[label.system]),
    }).toEqual({ deadLetters: [queue], faults: ['destination'], overflow: ['inprocess'] });

    // The first failure of an error type makes that type's series, at 1: rate() cannot see it
    // there, so the share per type reads 0 (this is the case under test), while the error ratio
    // the alerts write counts failures on a counter that was at 0 before it, and sees the failure:
    // 1 of the 21 events since scraping started, less the extrapolation rate() gives the total.
    const byType = await prometheus.query(errorRatioByType(q, q.byDestination, WINDOW));
    expect(byType.find((s) => s.metric[label.destination] === 'orders')?.value).toBe(0);
    const ratio = await prometheus.query(errorRatio(q, q.byDestination, WINDOW));
    const onOrders = ratio.find((s) => s.metric[label.destination] === 'orders')?.value;
    expect(onOrders).toBeGreaterThan(1 / 21 / 2);
    expect(onOrders).toBeLessThan((1 / 21) * 1.5);
  });
});
