import { allSeriesNames, labelName, namingFlavors, signalForSeries } from '@eventscope/catalog';
import { resolveConfig } from '@eventscope/config';
import { Queries } from '@eventscope/config/promql';
import { promqlSelectors } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { ALERTS_SERIES } from '../src/dashboards/frame.js';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';
import { resolveVariables } from '../src/variable-values.js';
import { configSets } from './fixtures.js';
import { labelValuesQuery, selectorsOf } from './selectors.js';

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

  for (const { name, config } of configSets) {
    it(`parses and selects only catalog series with their own labels: ${name}`, () => {
      const resolved = resolveConfig(config);
      const known = allSeriesNames(resolved.flavor);
      let checked = 0;
      for (const { dashboard } of generateDashboards(config)) {
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
              `${where}: ${selector.metric} is not in the ${resolved.flavor} catalog`,
            ).toBe(true);
            const signal = signalForSeries(selector.metric, resolved.flavor)!;
            const allowed = new Set<string>([
              ...signal.signal.labels.map(labelName),
              ...resolved.targetLabels,
              ...(signal.part === 'bucket' ? ['le'] : []),
              // The otel flavor's instrumentation scope (otel_scope_name).
              ...Object.keys(new Queries(resolved).ownLabels),
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

    it(`every catalog selector, panels and variables alike, carries the configured selectors as written: ${name}`, () => {
      const resolved = resolveConfig(config);
      const expected = Object.entries(resolved.selectors).map(([label, value]) => {
        const written = /^(=~|!=|!~|=)"(.*)"$/.exec(value);
        return { label, op: written ? written[1] : '=', value: written ? written[2] : value };
      });
      let checked = 0;
      for (const { dashboard } of generateDashboards(config)) {
        const exprs = panelQueries(dashboard).map((q) => resolveVariables(q.expr));
        const variableSelectors = (dashboard.templating?.list ?? [])
          .filter((v) => v.type === 'query')
          .map((v) => labelValuesQuery(String(v.query)).selector);
        for (const selector of [...exprs.flatMap(selectorsOf), ...variableSelectors]) {
          for (const matcher of expected) {
            expect(selector.matchers, `${selector.metric} in ${dashboard.uid}`).toContainEqual(matcher);
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('a selector written as a matcher is that matcher, not a quoted value (it selects something)', () => {
    const [overview] = generateDashboards({ selectors: { namespace: '=~"prod-.*"', track: '!="canary"' } });
    const text = JSON.stringify(overview!.dashboard);
    expect(text).toContain('namespace=~\\"prod-.*\\"');
    expect(text).toContain('track!=\\"canary\\"');
    expect(text).not.toContain('namespace=\\"=~');
  });

  it('variable queries list values from catalog series', () => {
    for (const flavor of namingFlavors) {
      for (const { dashboard } of generateDashboards({ flavor })) {
        for (const variable of dashboard.templating?.list ?? []) {
          if (variable.type !== 'query') continue;
          const { selector } = labelValuesQuery(String(variable.query));
          expect(allSeriesNames(flavor).has(selector.metric), String(variable.query)).toBe(true);
        }
      }
    }
  });
});
