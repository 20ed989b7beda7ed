import type { EventscopeConfig } from '@eventscope/config';
import { promtoolBinary } from '@eventscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertDefinitions, generateAlerts } from '../src/index.js';
import { materialize, run } from './run-tool.js';

/**
 * Every generated rule file passes `promtool check rules`, and every generated `promtool test
 * rules` case passes: each alert fires on the series that should fire it, with its labels and
 * annotations, only after its `for:`, and stays silent on steady and idle ones.
 */

const promtool = promtoolBinary();

const configs: Record<string, EventscopeConfig> = {
  'production defaults (prom-client naming)': {},
  'test profile': { profile: 'test' },
  'OpenTelemetry exporter naming': { flavor: 'otel', profile: 'test' },
  'services, scoped SLOs, selectors and tuned thresholds': {
    profile: 'test',
    selectors: { job: 'billing' },
    services: [{ name: 'billing', destinations: ['orders.created', 'payments.settled'] }],
    slos: [
      { kind: 'errors', objective: 0.99, service: 'billing', destination: 'orders.created' },
      { kind: 'errors', objective: 0.999, service: 'billing' },
      {
        kind: 'latency',
        objective: 0.95,
        threshold: 0.1,
        service: 'billing',
        destination: 'payments.settled',
      },
      { kind: 'freshness', objective: 0.9, threshold: 30 },
    ],
    thresholds: {
      latencyRegressionFactor: 3,
      errorRatio: 0.2,
      majorGcPauseSeconds: 0.05,
      restartsPerWindow: 1,
    },
  },
  // Test series carry every selector's label, producer-side series (sent, propagation errors) too.
  'an equality selector on a label other than the service': {
    flavor: 'otel',
    profile: 'test',
    selectors: { namespace: 'shop' },
  },
  'a regex selector and a negated one': {
    profile: 'test',
    selectors: { namespace: '=~"prod-.*"', track: '!="canary"' },
  },
  'custom SLOs': {
    profile: 'test',
    slos: [
      { kind: 'errors', objective: 0.995 },
      { kind: 'latency', objective: 0.995, threshold: 0.1 },
      { kind: 'freshness', objective: 0.99, threshold: 1 },
    ],
  },
  'custom thresholds and a two-hour baseline (production profile)': {
    baselines: ['2h'],
    thresholds: {
      trafficFloorPerSecond: 1,
      latencyRegressionFactor: 2,
      throughputDropRatio: 0.3,
      gcTimeShareRatio: 0.2,
      heapLimitRatio: 0.8,
      eventLoopDelaySeconds: 0.25,
      eventAgeSeconds: 30,
      propagationErrorRatio: 0.05,
    },
  },
};

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

describe.skipIf(!promtool)('generated rules and their promtool tests', () => {
  for (const [title, config] of Object.entries(configs)) {
    describe(title, () => {
      const files = generateAlerts(config);
      const dir = materialize(files);
      cleanups.push(dir.remove);

      it('promtool check rules passes on every rule file and the PrometheusRule spec', async () => {
        const ruleFiles = Object.keys(files).filter((f) => f.startsWith('rules/'));
        expect(ruleFiles.length).toBe(5);
        const checked = await run(promtool!, ['check', 'rules', ...ruleFiles], dir.path);
        expect(checked.output).not.toMatch(/FAILED/);
        expect(checked.code, checked.output).toBe(0);
        const resource = parse(files['prometheus-rule.yaml']!);
        expect(resource.kind).toBe('PrometheusRule');
        const spec = materialize({ 'spec.rules.yml': JSON.stringify({ groups: resource.spec.groups }) });
        cleanups.push(spec.remove);
        const specChecked = await run(promtool!, ['check', 'rules', 'spec.rules.yml'], spec.path);
        expect(specChecked.code, specChecked.output).toBe(0);
      });

      it('every alert has a promtool case that fires it and one that must stay silent', () => {
        const tests = Object.entries(files)
          .filter(([f]) => f.startsWith('tests/'))
          .flatMap(
            ([, text]) =>
              parse(text).tests as {
                name: string;
                alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
              }[],
          );
        for (const definition of alertDefinitions) {
          const mine = tests.filter((t) => t.name.startsWith(`${definition.name}: `));
          const firing = mine.flatMap((t) => t.alert_rule_test).filter((c) => c.exp_alerts.length > 0);
          const silent = mine.flatMap((t) => t.alert_rule_test).filter((c) => c.exp_alerts.length === 0);
          expect(firing.length, `${definition.name} has a firing case`).toBeGreaterThan(0);
          expect(silent.length, `${definition.name} has a silent case`).toBeGreaterThan(0);
        }
      });

      it('promtool test rules passes on every generated test file', { timeout: 240_000 }, async () => {
        const testFiles = Object.keys(files).filter((f) => f.startsWith('tests/'));
        const results = await Promise.all(
          testFiles.map((f) => run(promtool!, ['test', 'rules', f], dir.path)),
        );
        for (const result of results) expect(result.code, result.output).toBe(0);
      });
    });
  }
});

/**
 * Prometheus 3 stores a classic histogram's `le` in float form: an exposed `le="5"` is queried as
 * `le="5.0"` (Prometheus 2 keeps it as written). The same generated tests, with every whole-number
 * bound of their input series written as Prometheus 3 stores it, must pass unchanged: every SLI,
 * quantile and burn-rate alert fires where it should.
 */
const floatForm = (text: string) => text.replace(/\ble="(\d+)"/g, 'le="$1.0"');

describe.skipIf(!promtool)('the same promtool tests over series stored as Prometheus 3 stores them', () => {
  for (const title of ['production defaults (prom-client naming)', 'test profile', 'custom SLOs']) {
    it(`${title}: every test file passes with le in float form`, { timeout: 240_000 }, async () => {
      const files = generateAlerts(configs[title]);
      const rewritten = Object.fromEntries(
        Object.entries(files).map(([path, text]) => [
          path,
          path.startsWith('tests/') ? floatForm(text) : text,
        ]),
      );
      const changed = Object.keys(files).filter((path) => rewritten[path] !== files[path]);
      expect(changed.length, 'some test series carry whole-number bounds').toBeGreaterThan(0);
      const dir = materialize(rewritten);
      try {
        const results = await Promise.all(
          Object.keys(files)
            .filter((f) => f.startsWith('tests/'))
            .map((f) => run(promtool!, ['test', 'rules', f], dir.path)),
        );
        for (const result of results) expect(result.code, result.output).toBe(0);
      } finally {
        dir.remove();
      }
    });
  }
});
