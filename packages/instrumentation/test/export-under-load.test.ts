import { attributes } from '@eventscope/catalog';
import { integrationRequired } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { serveMetrics } from '../src/export/server.js';
import { instrumentHandler } from '../src/handler.js';
import { SignalStore } from '../src/store.js';
import { heapAfterGc } from './support/heap.js';
import { parseExposition } from './support/text-format.js';

/**
 * Issue acceptance 9: scrapes under load never fail or miscount, and a wrapper's memory stays flat
 * over millions of events. The durations are tunable: the issue asks for 30 s of scraping, which CI
 * runs; locally a shorter run keeps the shared machine usable.
 */
const SCRAPE_SECONDS = Number(process.env.EVENTSCOPE_SCRAPE_SECONDS ?? (integrationRequired() ? 30 : 5));
const FLAT_HEAP_EVENTS = Number(process.env.EVENTSCOPE_FLAT_HEAP_EVENTS ?? 10_000_000);
const SCRAPERS = 50;

interface OrderEvent {
  destination: string;
  n: number;
}

const consumedOf = (body: string) =>
  parseExposition(body)
    .samples.filter((s) => s.name === 'messaging_client_consumed_messages_total')
    .reduce((n, s) => n + s.value, 0);

describe('export under load', () => {
  it(
    `${SCRAPERS} clients scrape /metrics for ${SCRAPE_SECONDS} s while events flow: no failed scrape, no miscount`,
    async () => {
      const store = new SignalStore();
      const handle = instrumentHandler((event: OrderEvent) => event.n * 2, {
        system: 'inprocess',
        destination: (event: OrderEvent) => event.destination,
        consumerGroup: 'billing',
        store,
        registry: false,
        runtime: false,
      });
      const server = await serveMetrics({ port: 0, store });
      let sent = 0;
      let flowing = true;
      const destinations = ['orders.created', 'payments.settled'];
      const produce = async () => {
        while (flowing) {
          for (let i = 0; i < 500; i++) {
            const n = sent++;
            if (handle({ destination: destinations[n % 2]!, n }) !== n * 2) throw new Error('wrong result');
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      let scrapes = 0;
      const failures: string[] = [];
      const scraper = async () => {
        let last = 0;
        while (flowing) {
          try {
            const before = sent;
            const response = await fetch(server.url);
            const body = await response.text();
            if (response.status !== 200) throw new Error(`status ${response.status}`);
            const seen = consumedOf(body);
            // Monotonic per client, and never ahead of what was actually processed.
            if (seen < last || seen < before || seen > sent) {
              throw new Error(`count ${seen} outside [${Math.max(last, before)}, ${sent}]`);
            }
            last = seen;
            scrapes++;
          } catch (error) {
            failures.push(String(error));
          }
        }
      };
      const production = produce();
      const scraping = Array.from({ length: SCRAPERS }, scraper);
      await new Promise((resolve) => setTimeout(resolve, SCRAPE_SECONDS * 1000));
      flowing = false;
      await Promise.all([production, ...scraping]);
      const finalBody = await (await fetch(server.url)).text();
      await server.close();

      expect(failures.slice(0, 5)).toEqual([]);
      expect(scrapes).toBeGreaterThan(SCRAPERS);
      expect(sent).toBeGreaterThan(10_000);
      expect(consumedOf(finalBody)).toBe(sent);
      const processed = parseExposition(finalBody)
        .samples.filter((s) => s.name === 'messaging_process_duration_seconds_count')
        .reduce((n, s) => n + s.value, 0);
      expect(processed).toBe(sent);
      expect(store.series('instrumentationErrors', { [attributes.component]: 'metrics-server' }).value).toBe(
        0,
      );
    },
    (SCRAPE_SECONDS + 60) * 1000,
  );

  it(`keeps the heap flat within 5 MB over ${FLAT_HEAP_EVENTS.toLocaleString('en')} events through one wrapper`, () => {
    const store = new SignalStore();
    const handle = instrumentHandler((event: OrderEvent) => event.n, {
      system: 'inprocess',
      destination: 'orders.created',
      consumerGroup: 'billing',
      store,
      registry: false,
      runtime: false,
    });
    const event: OrderEvent = { destination: 'orders.created', n: 1 };
    for (let i = 0; i < 100_000; i++) handle(event);
    const before = heapAfterGc();
    for (let i = 0; i < FLAT_HEAP_EVENTS; i++) handle(event);
    const growth = heapAfterGc() - before;
    expect(
      store.series('consumedMessages', {
        [attributes.system]: 'inprocess',
        [attributes.destination]: 'orders.created',
        [attributes.operationName]: 'process',
        [attributes.consumerGroup]: 'billing',
      }).value,
    ).toBe(FLAT_HEAP_EVENTS + 100_000);
    expect(growth).toBeLessThan(5 * 1024 * 1024);
  }, 600_000);
});
