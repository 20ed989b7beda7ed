import { type EventscopeConfig, resolveConfig } from '@eventscope/config';
import { Queries } from '@eventscope/config/promql';
import { promtoolBinary } from '@eventscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateAlerts } from '../src/index.js';
import { materialize, run } from './run-tool.js';

/**
 * The broker-backlog alerts read only what the broker reports. Their generated promtool cases
 * hold broker gauges alone (no processed event, no producer), and two instances reading the same
 * broker count: rules that summed the instances instead of taking their max would fail them.
 */

const promtool = promtoolBinary();
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

const backlogAlerts = ['EventscopeConsumersAbsent', 'EventscopeLagOverFreshness', 'EventscopeBacklogGrowing'];

interface TestGroup {
  name: string;
  input_series: { series: string }[];
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

const groupsOf = (files: Record<string, string>) =>
  parse(files['tests/eventscope-pipeline.test.yml']!).tests as TestGroup[];

describe('broker backlog alerts', () => {
  for (const config of [{}, { flavor: 'otel', profile: 'test' }] as EventscopeConfig[]) {
    const q = new Queries(resolveConfig(config));
    const brokerSeries = ['backlogWaiting', 'backlogConsumers', 'backlogOldestAge', 'backlogUnsettled'].map(
      (key) => q.name(key as 'backlogWaiting'),
    );

    it(`consumers absent fires on broker gauges alone, no event processed and no producer (${config.flavor ?? 'prometheus'})`, () => {
      const groups = groupsOf(generateAlerts(config)).filter((g) =>
        g.name.startsWith('EventscopeConsumersAbsent: '),
      );
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) {
        const names = group.input_series.map((s) => s.series.slice(0, s.series.indexOf('{')));
        expect(new Set(names)).toEqual(new Set(brokerSeries.slice(0, 2)));
        expect(group.alert_rule_test.some((t) => t.exp_alerts.length === 1)).toBe(true);
      }
    });
  }

  it('a configuration without a freshness objective has no lag rule (and says so in the runbook)', () => {
    const files = generateAlerts({ slos: [{ kind: 'errors', objective: 0.999 }] });
    expect(files['rules/eventscope-pipeline.rules.yml']).not.toContain('EventscopeLagOverFreshness');
    expect(files['runbooks/EventscopeLagOverFreshness.md']).toContain('No rule is generated');
    expect(groupsOf(files).some((g) => g.name.startsWith('EventscopeLagOverFreshness: '))).toBe(false);
  });

  it('one lag rule per freshness objective, within its scope, at its threshold', () => {
    const files = generateAlerts({
      services: [{ name: 'billing', destinations: ['orders.created'] }],
      slos: [
        { kind: 'freshness', objective: 0.99, threshold: 30 },
        {
          kind: 'freshness',
          objective: 0.9,
          threshold: 5,
          service: 'billing',
          destination: 'orders.created',
        },
      ],
    });
    const rules = (
      parse(files['rules/eventscope-pipeline.rules.yml']!).groups[0].rules as {
        alert?: string;
        expr: string;
        labels: Record<string, string>;
      }[]
    ).filter((r) => r.alert === 'EventscopeLagOverFreshness');
    expect(rules.map((r) => r.labels.slo)).toEqual(['all-all-freshness', 'billing-orders.created-freshness']);
    expect(rules[0]!.expr).toMatch(/^max by \(.*\) \(eventscope_backlog_oldest_age_seconds\) > 30$/);
    expect(rules[1]!.expr).toContain('job="billing", messaging_destination_name="orders.created"');
    expect(rules[1]!.expr).toMatch(/> 5$/);
  });
});

describe.skipIf(!promtool)('the backlog tests pin the aggregation down', () => {
  for (const config of [{ profile: 'test' }, {}] as EventscopeConfig[]) {
    it(`rules that sum the instances' broker gauges fail every backlog alert's tests (${config.profile ?? 'production'})`, {
      timeout: 120_000,
    }, async () => {
      const files = generateAlerts(config);
      const rules = files['rules/eventscope-pipeline.rules.yml']!;
      const summed = rules.replace(
        /max by \(([^)]*messaging_consumer_group_name)\)/g,
        (_all, by: string) => `sum by (${by})`,
      );
      expect(summed).not.toBe(rules);
      const control = materialize(files);
      const mutated = materialize({ ...files, 'rules/eventscope-pipeline.rules.yml': summed });
      cleanups.push(control.remove, mutated.remove);
      const args = ['test', 'rules', 'tests/eventscope-pipeline.test.yml'];
      const passed = await run(promtool!, args, control.path);
      expect(passed.code, passed.output).toBe(0);
      const failed = await run(promtool!, args, mutated.path);
      expect(failed.code).not.toBe(0);
      for (const alert of backlogAlerts) expect(failed.output).toContain(alert);
    });
  }
});
