import { allSeriesNames, labelName, namingFlavors, signalForSeries, targetLabels } from '@eventscope/catalog';
import { promqlSelectors } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { ALERTS_SERIES } from '../src/dashboards/frame.js';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';
import { resolveVariables } from '../src/variable-values.js';
import { optionSets } from './fixtures.js';

/** Series outside the catalog that queries may use, each for a stated reason. */
const builtinSeries: Record<string, readonly string[]> = {
  // Prometheus' own series of firing alerts, for the annotations.
  [ALERTS_SERIES]: ['alertstate', 'alertname', 'severity'],
};

const parse = promqlSelectors;

describe('PromQL of every panel', () => {
  it('the checker catches syntax errors and unknown metrics (it is not vacuous)', () => {
    expect(parse('sum(rate(x[1m])').error).toBeDefined();
    expect(parse('sum(rate(messaging_process_duration_seconds_count{job=~".*"}[1m]))').selectors).toEqual([
      { metric: 'messaging_process_duration_seconds_count', labels: ['job'] },
    ]);
    expect(allSeriesNames('otel').has('messaging_process_duration_seconds_count')).toBe(false);
  });

  for (const { name, options } of optionSets) {
    it(`parses and selects only catalog series with their own labels: ${name}`, () => {
      const flavor = options.flavor ?? 'prometheus';
      const known = allSeriesNames(flavor);
      const extraLabels = Object.keys(options.selectors ?? {});
      let checked = 0;
      for (const { dashboard } of generateDashboards(options)) {
        for (const query of panelQueries(dashboard, { annotations: true })) {
          const where = `${dashboard.uid} / ${query.title} / ${query.refId}`;
          // Grafana substitutes variables before Prometheus parses; so does this check.
          const expr = resolveVariables(query.expr, { rateInterval: '1m', range: '1h' });
          const { selectors, error } = parse(expr);
          expect(error, `${where}: ${expr}`).toBeUndefined();
          expect(selectors.length, where).toBeGreaterThan(0);
          for (const selector of selectors) {
            const builtin = builtinSeries[selector.metric];
            if (builtin) {
              for (const label of selector.labels) expect(builtin, where).toContain(label);
              continue;
            }
            expect(
              known.has(selector.metric),
              `${where}: ${selector.metric} is not in the ${flavor} catalog`,
            ).toBe(true);
            const signal = signalForSeries(selector.metric, flavor)!;
            const allowed = new Set<string>([
              ...signal.signal.labels.map(labelName),
              ...targetLabels,
              ...extraLabels,
              ...(signal.part === 'bucket' ? ['le'] : []),
            ]);
            for (const label of selector.labels) {
              expect(allowed.has(label), `${where}: ${selector.metric} has no label ${label}`).toBe(true);
            }
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('variable queries list values from catalog series', () => {
    for (const flavor of namingFlavors) {
      for (const { dashboard } of generateDashboards({ flavor })) {
        for (const variable of dashboard.templating?.list ?? []) {
          if (variable.type !== 'query') continue;
          const match = /^label_values\(([a-z0-9_]+)(\{.*\})?, ([a-z_]+)\)$/.exec(String(variable.query));
          expect(match, String(variable.query)).not.toBeNull();
          expect(allSeriesNames(flavor).has(match![1]!)).toBe(true);
        }
      }
    }
  });
});
