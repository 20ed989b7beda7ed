import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  alertThresholdOf,
  ConfigError,
  configJsonSchema,
  defaultThresholds,
  panelQuantities,
  panelSteps,
  resolveConfig,
  selectorMatcher,
} from '../src/index.js';
import {
  backlogConsumers,
  backlogGrowth,
  backlogOldestAge,
  backlogUnsettled,
  backlogWaiting,
  errorRatio,
  Queries,
  shareWithin,
} from '../src/query/index.js';

const here = import.meta.dirname;
const read = (path: string): unknown => {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
};
const exampleDir = join(here, '..', 'examples');
const examples = readdirSync(exampleDir).map((name) => ({ name, config: read(join(exampleDir, name)) }));
const fiveMistakes = read(join(here, 'fixtures', 'five-mistakes.yaml'));

function issuesOf(input: unknown) {
  try {
    resolveConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('fills in every default from an empty config', () => {
    const config = resolveConfig({});
    expect(config.flavor).toBe('prometheus');
    expect(config.profile.name).toBe('production');
    expect(config.matchers).toEqual([]);
    expect(config.thresholds).toEqual(defaultThresholds);
    expect(config.slos.map((s) => s.name)).toEqual([
      'all-all-errors',
      'all-all-latency',
      'all-all-freshness',
    ]);
    expect(config.baselines.map((b) => b.label)).toEqual(['1d', '1w']);
    expect(resolveConfig({ profile: 'test' }).baselines.map((b) => b.label)).toEqual(['1m']);
  });

  it('returns a resolved config unchanged', () => {
    const config = resolveConfig({ flavor: 'otel' });
    expect(resolveConfig(config)).toBe(config);
  });

  it('resolves every example config in the repository', () => {
    for (const { name, config } of examples) expect(() => resolveConfig(config), name).not.toThrow();
  });
});

describe('selectors have one meaning', () => {
  it('a plain value is equality, a value written as a matcher is that matcher', () => {
    expect(selectorMatcher('namespace', 'shop')).toBe('namespace="shop"');
    expect(selectorMatcher('namespace', '=~"prod-.*"')).toBe('namespace=~"prod-.*"');
    expect(selectorMatcher('track', '!="canary"')).toBe('track!="canary"');
    expect(selectorMatcher('track', '!~"canary|beta"')).toBe('track!~"canary|beta"');
    expect(selectorMatcher('name', 'say "hi"')).toBe('name="say \\"hi\\""');
  });

  it('the resolved matchers are what every query carries', () => {
    const config = resolveConfig({ selectors: { namespace: 'shop', cluster: '=~"prod-.*"' } });
    expect(config.matchers).toEqual(['namespace="shop"', 'cluster=~"prod-.*"']);
    expect(config.targetLabels).toEqual(['job', 'instance', 'namespace', 'cluster']);
    const q = new Queries(config);
    expect(q.select('heapUsed')).toBe('v8js_memory_heap_used_bytes{namespace="shop", cluster=~"prod-.*"}');
  });

  it('an operator without a quoted value is an error with its path', () => {
    expect(issuesOf({ selectors: { namespace: '=~prod-.*' } })).toEqual([
      { path: 'selectors.namespace', message: expect.stringContaining('neither a plain value') },
    ]);
  });
});

describe('validation reports every mistake at once', () => {
  it('five mistakes across sections give five errors with paths', () => {
    const issues = issuesOf(fiveMistakes);
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'dashboards.refresh',
        'flavour',
        'prometheus.job',
        'slos[0].objective',
        'thresholds.eventLoopDelaySeconds',
      ].sort(),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath.flavour).toContain('did you mean "flavor"?');
    expect(byPath['slos[0].objective']).toContain('write 0.99 for 99 %');
    expect(byPath['thresholds.eventLoopDelaySeconds']).toContain(
      'seconds, not milliseconds (write 0.1 for 100 ms)',
    );
    expect(byPath['dashboards.refresh']).toContain('duration');
    expect(byPath['prometheus.job']).toContain('must be a string, got 7');
  });

  it('unknown keys get a suggestion at every level, moved keys say where they live now', () => {
    const issues = issuesOf({
      thresholds: { heapLimitRatoi: 0.8 },
      dashboards: { datasourceUID: 'x' },
      alerts: { thresholds: {} },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['thresholds.heapLimitRatoi']).toContain('did you mean "heapLimitRatio"?');
    expect(byPath['dashboards.datasourceUID']).toContain('did you mean "datasourceUid"?');
    expect(byPath['alerts.thresholds']).toContain('top level as thresholds');
  });

  it('keeps the unit hints', () => {
    const byPath = Object.fromEntries(
      issuesOf({
        thresholds: { heapLimitRatio: 90, majorGcPauseSeconds: 1 },
        slos: [
          { kind: 'latency', objective: 0.99, threshold: 250 },
          { kind: 'freshness', objective: 0.99, threshold: 7 },
          { kind: 'errors', objective: 0.999, threshold: 1 },
        ],
      }).map((i) => [i.path, i.message]),
    );
    expect(byPath['thresholds.heapLimitRatio']).toContain('not a percentage (write 0.9 for 90 %)');
    expect(byPath['thresholds.majorGcPauseSeconds']).toContain("at or above the histogram's last bucket");
    expect(byPath['slos[0].threshold']).toContain('seconds, not milliseconds (write 0.25)');
    expect(byPath['slos[1].threshold']).toContain('not a event age bucket bound');
    expect(byPath['slos[2].threshold']).toContain('takes no threshold');
  });

  it('checks references between sections', () => {
    const byPath = Object.fromEntries(
      issuesOf({
        services: [{ name: 'billing', destinations: ['orders'] }],
        slos: [
          { kind: 'errors', objective: 0.99, service: 'shipping' },
          { kind: 'errors', objective: 0.9, destination: 'refunds' },
        ],
        alerts: {
          alertmanager: { routes: [{ receiver: 'nobody', severity: 'page' }] },
          burnRates: [{ severity: 'page', long: '5m', short: '1h', factor: 2 }],
        },
        serviceLabel: 'app',
      }).map((i) => [i.path, i.message]),
    );
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'alerts.alertmanager.routes[0].receiver',
        'alerts.burnRates',
        'alerts.burnRates[0].short',
        'serviceLabel',
        'slos[0].service',
        'slos[1].destination',
      ].sort(),
    );
  });
});

describe('the JSON Schema', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(configJsonSchema());

  it('is the published file', () => {
    const published = readFileSync(join(here, '..', 'eventscope.config.schema.json'), 'utf8');
    expect(JSON.parse(published)).toEqual(configJsonSchema());
  });

  it('accepts the example configs', () => {
    for (const { name, config } of examples)
      expect(validate(config), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  });

  it('rejects the config with five mistakes, at each of them', () => {
    expect(validate(fiveMistakes)).toBe(false);
    const paths = new Set(
      (validate.errors ?? []).map((e) =>
        e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${e.params.additionalProperty}`
          : e.instancePath,
      ),
    );
    for (const path of [
      '/flavour',
      '/slos/0/objective',
      '/thresholds/eventLoopDelaySeconds',
      '/dashboards/refresh',
      '/prometheus/job',
    ]) {
      expect(paths, path).toContain(path);
    }
  });
});

describe('thresholds', () => {
  it('a panel turns red exactly where its alert fires, for every shared quantity', () => {
    const custom = resolveConfig({
      thresholds: { heapLimitRatio: 0.6, eventLoopDelaySeconds: 0.02, errorRatio: 0.2 },
    });
    for (const thresholds of [defaultThresholds, custom.thresholds]) {
      for (const quantity of panelQuantities) {
        const alert = alertThresholdOf(quantity);
        const steps = panelSteps(quantity, thresholds);
        expect(steps.map((s) => s.color)).toEqual(['orange', 'red']);
        expect(steps[0]!.value).toBeLessThan(steps[1]!.value);
        if (alert) expect(steps[1]!.value, quantity).toBe(thresholds[alert]);
      }
    }
  });
});

describe('the query vocabulary', () => {
  const q = new Queries(resolveConfig({ selectors: { namespace: 'shop' } }));

  it('refuses a matcher on a label the signal never carries', () => {
    expect(() => q.select('heapUsed', 'value', ['messaging_consumer_group_name="billing"'])).toThrow(
      /never carries/,
    );
    expect(() => q.select('gcDuration', 'count', ['messaging_destination_name="orders"'])).toThrow(
      /never carries/,
    );
    expect(q.select('processDuration', 'bucket', ['le="0.25"'])).toContain('le="0.25"');
  });

  it('derived quantities are written once', () => {
    expect(errorRatio(q, ['job'], '5m')).toBe(
      'sum by (job) (rate(eventscope_events_failed_total{namespace="shop"}[5m])) / sum by (job) (rate(messaging_process_duration_seconds_count{namespace="shop"}[5m]))',
    );
    expect(shareWithin(q, 'eventAge', 5, [], '1h')).toContain('le=~"5|5[.]0"');
    expect(shareWithin(q, 'eventAge', 0.25, [], '1h')).toContain('le="0.25"');
  });

  it('broker figures take the max over the instances that read the same count, never their sum', () => {
    const by = ['job', 'messaging_destination_name'];
    expect(backlogWaiting(q, by)).toBe(
      'max by (job, messaging_destination_name) (eventscope_backlog_waiting{namespace="shop"})',
    );
    expect(backlogOldestAge(q, by)).toBe(
      'max by (job, messaging_destination_name) (eventscope_backlog_oldest_age_seconds{namespace="shop"})',
    );
    expect(backlogGrowth(q, by, '10m')).toBe(
      'max by (job, messaging_destination_name) (deriv(eventscope_backlog_waiting{namespace="shop"}[10m]))',
    );
    for (const figure of [backlogWaiting, backlogUnsettled, backlogOldestAge, backlogConsumers]) {
      expect(figure(q, by)).toMatch(/^max by /);
      expect(figure(q, by)).not.toMatch(/\bsum\b/);
    }
  });
});

describe('otel flavor: eventscope scope, and the names of renamed conventions', () => {
  it("every otel-flavor selector keeps eventscope's instrumentation scope; prometheus ones carry none", () => {
    const otel = new Queries(resolveConfig({ flavor: 'otel', selectors: { namespace: 'shop' } }));
    expect(otel.select('heapUsed')).toBe(
      'v8js_memory_heap_used{otel_scope_name="@eventscope/instrumentation", namespace="shop"}',
    );
    expect(otel.select('gcDuration', 'bucket', ['otel_scope_name!=""'])).toContain('otel_scope_name!=""');
    expect(new Queries(resolveConfig({})).select('heapUsed')).toBe('v8js_memory_heap_used_bytes');
  });

  it('semconvNames selects the old name by default, the successor with `new`', () => {
    expect(resolveConfig({}).semconvNames).toBe('old');
    const names = (semconvNames: 'old' | 'new', flavor: 'prometheus' | 'otel') =>
      new Queries(resolveConfig({ flavor, semconvNames })).name('heapSpaceSize');
    expect(names('old', 'prometheus')).toBe('v8js_memory_heap_limit_bytes');
    expect(names('new', 'prometheus')).toBe('v8js_memory_heap_space_size_bytes');
    expect(names('old', 'otel')).toBe('v8js_memory_heap_limit');
    expect(names('new', 'otel')).toBe('v8js_memory_heap_space_size');
    // Signals no convention renamed keep their name.
    expect(new Queries(resolveConfig({ semconvNames: 'new' })).name('heapUsed')).toBe(
      'v8js_memory_heap_used_bytes',
    );
    expect(issuesOf({ semconvNames: 'dup' }).map((i) => i.path)).toEqual(['semconvNames']);
  });
});
