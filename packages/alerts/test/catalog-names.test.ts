import { allSeriesNames, labelName, signalList } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AlertsConfig, generateAlerts } from '../src/index.js';

/**
 * Nothing here spells a metric name: every series selected by a generated rule, test or runbook
 * is a catalog series of the configured naming flavor, a recorded series, or Prometheus' `up`.
 */

const PROMQL_FUNCTIONS = new Set([
  'sum',
  'max',
  'min',
  'count',
  'rate',
  'increase',
  'histogram_quantile',
  'absent',
  'changes',
  'predict_linear',
  'min_over_time',
  'avg_over_time',
  'by',
  'on',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
]);

function selectedNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutLabelLists = withoutStrings.replace(/\b(by|on|without|ignoring)\s*\([^)]*\)/g, '');
  const withoutMatchers = withoutLabelLists.replace(/\{[^}]*\}/g, '{}');
  const withoutRanges = withoutMatchers.replace(/\[[^\]]*\]/g, '[]').replace(/offset\s+(\d+[wdhms])+/g, '');
  const names = withoutRanges.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return names.filter((n) => !PROMQL_FUNCTIONS.has(n) && !/^\d/.test(n) && !/^(e|Inf|NaN)$/.test(n));
}

const configs: AlertsConfig[] = [{}, { flavor: 'otel' }, { profile: 'test', serviceLabel: 'job' }];

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
      for (const expr of exprs) {
        for (const name of selectedNames(expr)) {
          expect(known.has(name) || recorded.has(name) || name === 'up', `${name} in ${expr}`).toBe(true);
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
