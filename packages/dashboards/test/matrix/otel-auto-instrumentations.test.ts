import { generateAlerts } from '@eventscope/alerts';
import {
  gcBuckets,
  INSTRUMENTATION_SCOPE,
  metricName,
  SCOPE_LABEL,
  seriesNames,
  signalList,
} from '@eventscope/catalog';
import { type EventscopeConfig, resolveConfig } from '@eventscope/config';
import { heapUsed, heapUsedOfLimit, leValue, Queries } from '@eventscope/config/promql';
import {
  prometheusBinary,
  type RunningPrometheus,
  scrapeConfig,
  startPrometheus,
  waitFor,
} from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateDashboards } from '../../src/generate.js';
import { panelQueries } from '../../src/panel-queries.js';
import { resolveVariables } from '../../src/variable-values.js';
import { type Selector, selectorsOf } from '../selectors.js';
import {
  type HeapTruth,
  type InstrumentedProcess,
  startInstrumentedProcess,
} from './instrumented-process.js';

/**
 * Deployment matrix: eventscope beside `@opentelemetry/auto-instrumentations-node` (its defaults:
 * runtime-node is on) on ONE MeterProvider, exported through `@opentelemetry/exporter-prometheus`
 * and scraped by a real Prometheus. runtime-node writes `v8js_memory_heap_used`,
 * `v8js_gc_duration`, `nodejs_eventloop_*` too, told apart only by `otel_scope_name`. Every
 * otel-flavor dashboard and alert query on a runtime family must see eventscope's series only:
 * the heap sum is the process's own heap, the GC buckets are the catalog's.
 */

const prometheus = prometheusBinary();
/** Events eventscope's wrapper processes; instrumentation-kafkajs records as many. */
const EVENTS = 50;
const config: EventscopeConfig = { flavor: 'otel' };
const q = new Queries(resolveConfig(config));
const OWN = `${SCOPE_LABEL}="${INSTRUMENTATION_SCOPE}"`;
/** The same expression as the vocabulary wrote it before selectors carried the scope. */
const unscoped = (expr: string) => expr.replaceAll(`${OWN}, `, '').replaceAll(`{${OWN}}`, '');

const runtimeFamilies = new Set(
  signalList.filter((s) => s.group === 'runtime').flatMap((s) => seriesNames(s, 'otel')),
);

interface RuntimeQuery {
  where: string;
  expr: string;
}

/** Every otel-flavor dashboard panel query (variables resolved) and every alerting and recording rule. */
function generatedQueries(): RuntimeQuery[] {
  const out: RuntimeQuery[] = [];
  const variables = { job: 'matrix', rateInterval: '15s', range: '1m' };
  for (const { kind, dashboard } of generateDashboards(config)) {
    for (const query of panelQueries(dashboard)) {
      out.push({
        where: `dashboard ${kind} / ${query.title} / ${query.refId}`,
        expr: resolveVariables(query.expr, variables),
      });
    }
  }
  const files = generateAlerts(config);
  for (const [file, text] of Object.entries(files)) {
    if (!file.startsWith('rules/')) continue;
    const groups = (
      parseYaml(text) as { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] }
    ).groups;
    for (const rule of groups.flatMap((g) => g.rules)) {
      out.push({ where: `${file} / ${rule.alert ?? rule.record}`, expr: rule.expr });
    }
  }
  return out;
}

function runtimeQueries(): RuntimeQuery[] {
  return generatedQueries().filter((query) =>
    selectorsOf(query.expr).some((s) => runtimeFamilies.has(s.metric)),
  );
}

const selectorText = (s: Selector) =>
  `${s.metric}{${s.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;

/** The collection whose sample an instant query at `time` reads: the last one before it. */
function truthAt(truths: readonly HeapTruth[], time: number): HeapTruth {
  return truths.filter((t) => t.at <= time * 1000).at(-1)!;
}

describe.skipIf(!prometheus)('eventscope beside auto-instrumentations-node on one MeterProvider', () => {
  let service: InstrumentedProcess;
  let server: RunningPrometheus;
  beforeAll(async () => {
    service = await startInstrumentedProcess({ flavor: 'otel', autoInstrumentations: true, events: EVENTS });
    server = await startPrometheus({
      config: scrapeConfig([service.target], { interval: '1s', job: 'matrix' }),
    });
    await server.waitForTargets(1, 60_000);
    // 15 s of scrapes with GC pauses seen by both observers.
    await waitFor(
      async () => {
        const scopes = await server.query(
          `count by (${SCOPE_LABEL}) (count_over_time(${metricName('gcDuration', 'otel')}_count[15s]) >= 14)`,
        );
        return scopes.length >= 2;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'GC pauses from both scopes over 15 s of scrapes' },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await service?.stop();
  });

  it('the setup collides: runtime-node writes the same families under its own scope', async () => {
    const scopes = await server.query(`count by (${SCOPE_LABEL}) (${metricName('heapUsed', 'otel')})`);
    expect(scopes.map((s) => s.metric[SCOPE_LABEL]).sort()).toEqual([
      INSTRUMENTATION_SCOPE,
      '@opentelemetry/instrumentation-runtime-node',
    ]);
  });

  it('every runtime selector of every otel-flavor dashboard and alert query sees eventscope only', async () => {
    const queries = runtimeQueries();
    expect(queries.length).toBeGreaterThan(10);
    const foreign: string[] = [];
    let withData = 0;
    for (const query of queries) {
      for (const selector of selectorsOf(query.expr).filter((s) => runtimeFamilies.has(s.metric))) {
        const scopes = await server.query(`count by (${SCOPE_LABEL}) (${selectorText(selector)})`);
        if (scopes.length > 0) withData++;
        for (const scope of scopes) {
          if (scope.metric[SCOPE_LABEL] !== INSTRUMENTATION_SCOPE) {
            foreign.push(`${query.where}: ${selectorText(selector)} selects ${scope.metric[SCOPE_LABEL]}`);
          }
        }
      }
    }
    expect(foreign).toEqual([]);
    expect(withData).toBeGreaterThan(10);
  });

  it('messaging queries count the events eventscope processed, not those instrumentation-kafkajs recorded too', async () => {
    const scopes = await server.query(
      `count by (${SCOPE_LABEL}) (${metricName('processDuration', 'otel')}_count)`,
    );
    expect(scopes.map((s) => s.metric[SCOPE_LABEL]).sort()).toEqual([
      INSTRUMENTATION_SCOPE,
      '@opentelemetry/instrumentation-kafkajs',
    ]);
    const processed = `sum(${q.select('processDuration', 'count')})`;
    const [after] = await server.query(processed);
    const [before] = await server.query(unscoped(processed));
    expect(after?.value).toBe(EVENTS);
    expect(before?.value).toBe(2 * EVENTS);
    const foreign: string[] = [];
    for (const query of generatedQueries()) {
      for (const selector of selectorsOf(query.expr).filter((s) => s.metric.startsWith('messaging_'))) {
        for (const scope of await server.query(`count by (${SCOPE_LABEL}) (${selectorText(selector)})`)) {
          if (scope.metric[SCOPE_LABEL] !== INSTRUMENTATION_SCOPE)
            foreign.push(`${query.where}: ${selectorText(selector)}`);
        }
      }
    }
    expect(foreign).toEqual([]);
  });

  it("the heap sum and the heap-near-limit ratio are the process's own heap", async () => {
    const ratios: number[] = [];
    const before: number[] = [];
    for (const truth of service.truths.slice(-6, -1)) {
      const time = (truth.at + 300) / 1000;
      const expected = truthAt(service.truths, time);
      const [sum] = await server.query(heapUsed(q, []), time);
      const [ofLimit] = await server.query(heapUsedOfLimit(q, q.byInstance), time);
      const [old] = await server.query(unscoped(heapUsed(q, [])), time);
      ratios.push(sum!.value / expected.heapUsed);
      expect(Math.abs(ofLimit!.value / (expected.heapUsed / expected.heapSizeLimit) - 1)).toBeLessThan(0.01);
      before.push(old!.value / expected.heapUsed);
    }
    // Both readings come from one synchronous collection: only a few objects are allocated in between.
    for (const ratio of ratios) expect(Math.abs(ratio - 1)).toBeLessThan(0.01);
    // Without the scope matcher the sum adds runtime-node's reading of the same heap.
    for (const ratio of before) expect(ratio).toBeGreaterThan(1.8);
    console.info(
      `heap sum / process heap: after ${ratios.map((r) => r.toFixed(3)).join(' ')}; unscoped ${before.map((r) => r.toFixed(3)).join(' ')}`,
    );
  });

  it("the GC quantiles read the catalog's buckets only", async () => {
    const expected = [...gcBuckets.map(leValue), '+Inf'].sort();
    const quantile = queriesOn('gcDuration', 'bucket');
    expect(quantile.length).toBeGreaterThan(0);
    for (const selector of quantile) {
      const les = await server.query(`count by (le) (${selectorText(selector)})`);
      expect(les.map((s) => s.metric.le).sort(), selectorText(selector)).toEqual(expected);
    }
    const [first] = quantile;
    const unscopedLes = await server.query(`count by (le) (${unscoped(selectorText(first!))})`);
    expect(unscopedLes.length).toBeGreaterThan(expected.length);
    console.info(`GC bucket bounds selected: after ${expected.length}; unscoped ${unscopedLes.length}`);
  });
});

/** The selectors of `signal`'s `part` series in every runtime query. */
function queriesOn(signal: 'gcDuration', part: 'bucket'): Selector[] {
  const name = q.name(signal, part);
  return runtimeQueries().flatMap((query) => selectorsOf(query.expr).filter((s) => s.metric === name));
}
