import { type NamingFlavor, namingFlavors, type SemconvNames, semconvNameChoices } from '@eventscope/catalog';
import { type EventscopeConfig, resolveConfig } from '@eventscope/config';
import { Queries } from '@eventscope/config/promql';
import { prometheusBinary, type RunningPrometheus, scrapeConfig, startPrometheus } from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDashboards } from '../../src/generate.js';
import { panelQueries } from '../../src/panel-queries.js';
import { resolveVariables } from '../../src/variable-values.js';
import { selectorsOf } from '../selectors.js';
import { type InstrumentedProcess, startInstrumentedProcess } from './instrumented-process.js';

/**
 * A renamed convention end to end: services run with `OTEL_SEMCONV_STABILITY_OPT_IN` unset,
 * `v8js/dup` and `v8js`, in both naming flavors, scraped by one real Prometheus. The dashboard
 * panel on the renamed signal (heap space size) finds the data when the config's `semconvNames`
 * matches what the service emits, and only then.
 */

const prometheus = prometheusBinary();
const optIns = ['', 'v8js/dup', 'v8js'] as const;
const finds: Record<(typeof optIns)[number], readonly SemconvNames[]> = {
  '': ['old'],
  'v8js/dup': ['old', 'new'],
  v8js: ['new'],
};

/** The runtime dashboard's queries on the heap space size, for one config. */
function heapSpaceSizeQueries(config: EventscopeConfig): string[] {
  const name = new Queries(resolveConfig(config)).name('heapSpaceSize');
  return generateDashboards(config)
    .flatMap(({ dashboard }) => panelQueries(dashboard))
    .map((query) => query.expr)
    .filter((expr) => selectorsOf(expr).some((s) => s.metric === name));
}

describe.skipIf(!prometheus)('renamed conventions: what the services emit, what the queries select', () => {
  const services = new Map<string, InstrumentedProcess>();
  let server: RunningPrometheus;
  const key = (flavor: NamingFlavor, optIn: string) => `${flavor} ${optIn}`;
  beforeAll(async () => {
    for (const flavor of namingFlavors) {
      for (const optIn of optIns) {
        services.set(key(flavor, optIn), await startInstrumentedProcess({ flavor, semconvOptIn: optIn }));
      }
    }
    const targets = [...services.values()].map((s) => s.target);
    server = await startPrometheus({ config: scrapeConfig(targets, { interval: '1s', job: 'matrix' }) });
    await server.waitForTargets(targets.length, 60_000);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    for (const service of services.values()) await service.stop();
  });

  for (const flavor of namingFlavors) {
    for (const names of semconvNameChoices) {
      const config: EventscopeConfig = { flavor, semconvNames: names };
      it(`${flavor} flavor, semconvNames: ${names}`, async () => {
        const queries = heapSpaceSizeQueries(config);
        expect(queries.length).toBeGreaterThan(0);
        for (const optIn of optIns) {
          const instance = services.get(key(flavor, optIn))!.target;
          for (const expr of queries) {
            const resolved = resolveVariables(expr, {
              job: 'matrix',
              instance: instance.replaceAll('.', '[.]'),
            });
            const result = (await server.query(resolved)).filter((s) => s.value > 0);
            const expected = finds[optIn].includes(names);
            expect(result.length > 0, `OTEL_SEMCONV_STABILITY_OPT_IN=${optIn}: ${resolved}`).toBe(expected);
          }
        }
      });
    }
  }
});
