import { allSeriesNames, labelName, signalList } from '@eventscope/catalog';
import type { EventscopeConfig } from '@eventscope/config';
import { promqlSelectors } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateAlerts } from '../src/index.js';

/**
 * Nothing here spells a metric name: every series selected by a generated rule, test or runbook
 * is a catalog series of the configured naming flavor, a recorded series, or Prometheus' `up`.
 */

/** Metric names of every vector selector, parsed with Prometheus' own PromQL grammar. */
function selectedNames(expr: string): string[] {
  const { selectors, error } = promqlSelectors(expr);
  expect(error, expr).toBeUndefined();
  return selectors.map((s) => s.metric);
}

const configs: EventscopeConfig[] = [{}, { flavor: 'otel' }, { profile: 'test', serviceLabel: 'job' }];

describe('generated PromQL uses only catalog names', () => {
  for (const config of configs) {
    it(`${config.flavor ?? 'prometheus'} naming, ${config.profile ?? 'production'} profile`, () => {
      const files = generateAlerts(config);
      const known = allSeriesNames(config.flavor ?? 'prometheus');
      const recorded = new Set<string>();
      const exprs: string[] = [];
      for (const [path, text] of Object.entries(files)) {
        if (!path.startsWith('rules/')) continue;
        for (const group of parse(text).groups) {
          for (const rule of group.rules) {
            if (rule.record) recorded.add(rule.record);
            exprs.push(rule.expr);
          }
        }
      }
      for (const [path, text] of Object.entries(files)) {
        if (path.startsWith('runbooks/')) {
          for (const m of text.matchAll(/```promql\n([\s\S]*?)```/g)) exprs.push(m[1]!);
        }
      }
      expect(exprs.length).toBeGreaterThan(50);
      // The checker is not vacuous: it finds selectors and rejects broken syntax.
      expect(
        promqlSelectors('sum(rate(x_total{job="a"}[5m])) / on() up').selectors.map((s) => s.metric),
      ).toEqual(['x_total', 'up']);
      expect(promqlSelectors('sum(rate(x[5m])').error).toBeDefined();
      for (const expr of exprs) {
        for (const name of selectedNames(expr)) {
          // `up` and `ALERTS` are Prometheus's own series (a held baseline reads the alert it serves).
          expect(
            known.has(name) || recorded.has(name) || name === 'up' || name === 'ALERTS',
            `${name} in ${expr}`,
          ).toBe(true);
        }
      }
      // And the synthetic series of the promtool tests are catalog series too.
      for (const [path, text] of Object.entries(files)) {
        if (!path.startsWith('tests/')) continue;
        for (const group of parse(text).tests) {
          for (const input of group.input_series) {
            const name = input.series.slice(0, input.series.indexOf('{'));
            expect(known.has(name) || name === 'up', name).toBe(true);
          }
        }
      }
    });
  }

  it('label names come from the catalog attributes', () => {
    const labels = new Set(signalList.flatMap((s) => s.labels.map(labelName)));
    const rules = generateAlerts()['rules/eventscope-regressions.rules.yml']!;
    for (const m of rules.matchAll(/by \(([^)]*)\)/g)) {
      for (const l of m[1]!.split(', '))
        expect(labels.has(l) || ['job', 'instance', 'le'].includes(l), l).toBe(true);
    }
  });
});
