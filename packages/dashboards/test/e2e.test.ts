import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NamingFlavor, namingFlavors, signals } from '@eventscope/catalog';
import { type EventscopeConfig, resolveConfig } from '@eventscope/config';
import { PrometheusClient } from '@eventscope/config/prometheus-client';
import { label, Queries } from '@eventscope/config/promql';
import { pipelineNames, type RunningPipeline, startPipeline } from '@eventscope/demo';
import {
  needBinary,
  prometheusBinary,
  type RunningPrometheus,
  scrapeConfig,
  startPrometheus,
  tempDir,
  waitFor,
} from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';
import { renderPreview } from '../src/preview/render.js';
import { resolveVariables, type VariableValues } from '../src/variable-values.js';
import { recordingRuleComparisons } from './recording-rules.js';

/**
 * End to end: a real Prometheus scrapes the instrumented in-process pipeline, and every panel
 * query — variables resolved to the pipeline's values — must return data, for each naming flavor.
 *
 * Regression baselines (`offset 1d`, `offset 1w`) cannot have data in a Prometheus started a
 * minute ago. For those queries the test runs the real expression (it must be accepted) and the
 * same expression with the offset shortened to 5s, which must return data: that proves the
 * baseline query selects the right series, and only history is missing.
 */

const SCRAPE = '1s';
const RATE_INTERVAL = '15s';
const SHORT_OFFSET = '5s';
const prometheus = prometheusBinary();
const chromium = needBinary('chromium', 'apt-get install chromium');
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');

/**
 * Each setup runs against its own pipeline and Prometheus: both naming flavors with defaults, and
 * a config with an equality and a matcher selector (the scrape adds the labels they select, as
 * service discovery would), custom SLOs, thresholds and baselines.
 */
interface Setup {
  name: string;
  flavor: NamingFlavor;
  config: EventscopeConfig;
  targetLabels?: Record<string, string>;
  /** Serve the exposition with `le` in float form (`le="5.0"`), as Prometheus 3 stores every bound. */
  floatLe?: boolean;
}

const shopConfig = parseYaml(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../config/examples/shop.yaml'), 'utf8'),
) as EventscopeConfig;

const setups: readonly Setup[] = [
  ...namingFlavors.map((flavor) => ({ name: `${flavor} naming`, flavor, config: { flavor } })),
  {
    name: 'the shop config: namespace="shop", cluster=~"prod-.*", its own SLOs, thresholds and baselines',
    flavor: 'prometheus',
    config: { ...shopConfig, baselines: ['2h', '1w'] },
    targetLabels: { namespace: 'shop', cluster: 'prod-eu' },
  },
  {
    // Prometheus 2.42 stores `le` as exposed: an exposition in float form is stored as 3.x stores any.
    name: 'Prometheus 3 semantics: every bound stored in float form (le="5.0")',
    flavor: 'prometheus',
    config: { flavor: 'prometheus' },
    floatLe: true,
  },
];

/** An exposition proxy writing whole-number bounds in float form, as Prometheus 3 stores them. */
async function floatLeProxy(metricsUrl: string): Promise<Server> {
  const server = createServer(async (_request, response) => {
    const text = await (await fetch(metricsUrl)).text();
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(text.replace(/\ble="(\d+)"/g, 'le="$1.0"'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface Stack {
  pipeline: RunningPipeline;
  prometheus: RunningPrometheus;
  proxy?: Server;
}

async function startStack(setup: Setup): Promise<Stack> {
  // gc-pressure so GC pauses overlap handlers and slow events are attributed to GC.
  const pipeline = await startPipeline({
    flavor: setup.flavor,
    scenario: 'gc-pressure',
    rate: 200,
    logger: false,
  });
  let proxy: Server | undefined;
  try {
    proxy = setup.floatLe ? await floatLeProxy(pipeline.metricsUrl) : undefined;
    const address = proxy?.address() as AddressInfo | undefined;
    const target = address ? `127.0.0.1:${address.port}` : new URL(pipeline.metricsUrl).host;
    const running = await startPrometheus({
      config: scrapeConfig([target], { interval: SCRAPE, job: 'billing', labels: setup.targetLabels ?? {} }),
    });
    return { pipeline, prometheus: running, ...(proxy ? { proxy } : {}) };
  } catch (error) {
    proxy?.close();
    await pipeline.stop();
    throw error;
  }
}

/** Wait until the rate window holds enough scrapes for every rate() to have two samples. */
async function waitForData(stack: Stack, config: EventscopeConfig): Promise<void> {
  await stack.prometheus.waitForTargets(1, 60_000);
  const q = new Queries(resolveConfig(config));
  await waitFor(
    async () => {
      const expr = `count_over_time(${q.name('processDuration', 'count')}[${RATE_INTERVAL}])`;
      const result = await stack.prometheus.query(expr);
      return result.some((s) => s.value >= 12);
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: `${RATE_INTERVAL} of scrapes of the pipeline` },
  );
  // The demo fails one order in 2,000, the first a few seconds in: the error ratio's baseline
  // (offset shortened to SHORT_OFFSET) is 0/0 until that failure is older than the offset.
  await waitFor(
    async () => {
      const failedThen = q.ago(SHORT_OFFSET).sumRate([], 'failedEvents', 'value', '1h');
      return (await stack.prometheus.query(failedThen)).some((s) => s.value > 0);
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: `a failed order ${SHORT_OFFSET} back` },
  );
}

/** Equal within 1e-9 relative (sums may add in another order); NaN (0/0) on both sides is equal too. */
function sameNumber(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function variablesFor(kind: string): VariableValues {
  return {
    job: 'billing',
    system: pipelineNames.system,
    consumer_group: '.*',
    ...(kind === 'destination' ? { destination: pipelineNames.orders } : {}),
    rateInterval: RATE_INTERVAL,
    range: '2m',
  };
}

describe.skipIf(!prometheus)('dashboards against a real Prometheus scraping the pipeline', () => {
  for (const setup of setups) {
    const { flavor, config } = setup;
    describe(setup.name, () => {
      let stack: Stack;
      let startedAt = 0;
      beforeAll(async () => {
        stack = await startStack(setup);
        startedAt = Math.floor(Date.now() / 1000);
        await waitForData(stack, config);
      }, 180_000);
      afterAll(async () => {
        await stack?.prometheus.stop();
        stack?.proxy?.close();
        await stack?.pipeline.stop();
      });

      it('the pipeline exposes this flavor', async () => {
        const q = new Queries(resolveConfig(config));
        const result = await stack.prometheus.query(q.select('processDuration', 'count'));
        expect(result.length).toBeGreaterThan(0);
        expect(signals.processDuration.name).toBe('messaging.process.duration');
      });

      it('every panel query returns data with the variables resolved', async () => {
        const empty: string[] = [];
        let checked = 0;
        const { baselines } = resolveConfig(config);
        for (const { kind, dashboard } of generateDashboards(config)) {
          for (const query of panelQueries(dashboard)) {
            const where = `${kind} / ${query.title} / ${query.refId}`;
            const expr = resolveVariables(query.expr, variablesFor(kind));
            const baseline = baselines.find((b) => expr.includes(` offset ${b.label}`));
            // Throws (fails the test) if Prometheus rejects the expression.
            const result = await stack.prometheus.query(expr);
            let evaluated = result;
            if (baseline) {
              const shortened = baselines.reduce(
                (e, b) => e.replaceAll(` offset ${b.label}`, ` offset ${SHORT_OFFSET}`),
                expr,
              );
              evaluated = await stack.prometheus.query(shortened);
            }
            const values = evaluated.filter((s) => !Number.isNaN(s.value));
            if (values.length === 0) empty.push(`${where}: ${expr}`);
            checked++;
          }
        }
        expect(empty).toEqual([]);
        expect(checked).toBeGreaterThan(80);
      });

      // The comparison table names the default baselines' panels; the flavors cover it.
      if (!setup.targetLabels)
        it('panels compute the numbers the recording rules record (same quantity, same window)', async () => {
          const resolved = resolveConfig(config);
          const q = new Queries(resolved);
          const client = new PrometheusClient(stack.prometheus.url);
          // A few scrapes back, so that no scrape lands between the two queries of a pair.
          const at = Math.floor(Date.now() / 1000) - 5;
          const dashboards = generateDashboards(resolved);
          const differ: string[] = [];
          for (const comparison of recordingRuleComparisons) {
            const { kind, title, refId } = comparison.panel;
            const query = panelQueries(dashboards.find((d) => d.kind === kind)!.dashboard).find(
              (p) => p.title === title && p.refId === refId,
            );
            expect(query, `${kind} / ${title}`).toBeDefined();
            const [panel, rule] = await Promise.all([
              client.query(resolveVariables(query!.expr, variablesFor(kind)), at),
              client.query(comparison.rule(q, RATE_INTERVAL), at),
            ]);
            const recorded = rule.filter(
              (s) => !comparison.ordersOnly || s.metric[label.destination] === pipelineNames.orders,
            );
            expect(panel.length, comparison.figure).toBeGreaterThan(0);
            expect(recorded.length, comparison.figure).toBeGreaterThan(0);
            const pairs: [string, number, number | undefined][] =
              comparison.combine === 'sum'
                ? [['', panel[0]!.value, recorded.reduce((total, s) => total + s.value, 0)]]
                : panel.map((series) => {
                    const key = comparison.key.map((l) => series.metric[l] ?? '').join('/');
                    const match = recorded.filter(
                      (r) => comparison.key.map((l) => r.metric[l] ?? '').join('/') === key,
                    );
                    return [key, series.value, match.length === 1 ? match[0]!.value : undefined];
                  });
            if (comparison.combine === 'same') expect(panel.length, comparison.figure).toBe(recorded.length);
            if (comparison.combine === 'sum') expect(panel.length, comparison.figure).toBe(1);
            for (const [key, shown, recordedValue] of pairs) {
              if (recordedValue === undefined || !sameNumber(shown, recordedValue)) {
                differ.push(`${comparison.figure} ${key}: panel ${shown}, rule ${recordedValue}`);
              }
            }
          }
          expect(differ).toEqual([]);
        });

      // One flavor is enough for the browser: the preview's queries are the ones checked above.
      if (setup.name !== 'prometheus naming') return;
      it.skipIf(!chromium)(
        'renders a static preview that headless Chromium draws',
        async () => {
          const end = Math.floor(Date.now() / 1000);
          const start = Math.min(startedAt, end - 30);
          const html = await renderPreview({
            prometheusUrl: stack.prometheus.url,
            config: { flavor },
            range: { start, end, step: 1 },
            variables: { job: 'billing', rateInterval: RATE_INTERVAL, range: `${end - start}s` },
          });
          const dir = tempDir('eventscope-preview-');
          try {
            const page = join(dir.path, 'preview.html');
            const png = join(dir.path, 'preview.png');
            writeFileSync(page, html);
            const browser = (extra: string[]) =>
              spawnSync(
                chromium!,
                [
                  '--headless',
                  '--no-sandbox',
                  '--disable-gpu',
                  '--disable-background-networking',
                  '--disable-component-update',
                  '--disable-sync',
                  '--no-first-run',
                  `--user-data-dir=${join(dir.path, 'profile')}`,
                  ...extra,
                  `file://${page}`,
                ],
                { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
              );
            const dom = browser(['--dump-dom']).stdout;
            const attribute = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(dom)?.[1] ?? -1);
            const total = attribute('data-panels-total');
            const drawn = attribute('data-panels-drawn');
            const rendered = attribute('data-panels-rendered');
            expect(total).toBeGreaterThan(60);
            // Only the "% worse vs. 1 day / 1 week ago" stats lack data in a fresh Prometheus.
            const baselineStats = (html.match(/% (worse|change) vs\. 1 (day|week) ago/g) ?? []).length;
            expect(drawn).toBe(total - baselineStats);
            // The browser measured a visible extent for every chart the page claims to have drawn.
            expect(rendered).toBe(drawn);

            browser([`--screenshot=${png}`, '--window-size=1400,2200', '--hide-scrollbars']);
            expect(existsSync(png)).toBe(true);
            expect(statSync(png).size).toBeGreaterThan(50_000);
            if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(png, join(docs, 'preview.png'));
          } finally {
            dir.remove();
          }
        },
        180_000,
      );
    });
  }
});
