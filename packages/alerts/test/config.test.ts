import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type EventscopeConfig, resolveConfig } from '@eventscope/config';
import { tempDir } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateAlerts, writeAlerts } from '../src/index.js';

/**
 * The alerts read the one eventscope config (its checks and their messages are tested in
 * @eventscope/config): a bad one surfaces as a ConfigError with paths and nothing half-written is
 * left behind; the selectors' labels reach the generated test series with values they select.
 */

function issuesOf(config: unknown) {
  try {
    generateAlerts(config as EventscopeConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('configuration was accepted');
}

/** Every input series of the generated promtool tests. */
function testSeries(config: EventscopeConfig): string[] {
  const files = generateAlerts(config);
  return Object.entries(files)
    .filter(([path]) => path.startsWith('tests/'))
    .flatMap(([, text]) =>
      (parse(text).tests as { input_series: { series: string }[] }[]).flatMap((t) =>
        t.input_series.map((i) => i.series),
      ),
    );
}

describe('the whole eventscope config', () => {
  it('a resolved config generates the same files as the config it came from', () => {
    const config: EventscopeConfig = { profile: 'test', selectors: { namespace: 'shop' } };
    expect(generateAlerts(resolveConfig(config))).toEqual(generateAlerts(config));
  });

  it('reads the top-level profile, thresholds, baselines and SLOs', () => {
    const files = generateAlerts({
      profile: 'test',
      baselines: ['2m', '30s'],
      thresholds: { errorRatio: 0.2 },
      slos: [{ kind: 'latency', objective: 0.995, threshold: 0.1 }],
    });
    const regressions = parse(files['rules/eventscope-regressions.rules.yml']!).groups[0].rules as {
      alert: string;
      expr: string;
      labels: Record<string, string>;
    }[];
    const latency = regressions.filter((r) => r.alert === 'EventscopeLatencyRegression');
    expect(latency.map((r) => r.labels.baseline)).toEqual(['2m', '30s']);
    expect(latency[0]!.expr).toMatch(/\[20s\] offset 2m\)/);
    expect(files['rules/eventscope-pipeline.rules.yml']).toMatch(/> 0\.2\n/);
    const slo = files['rules/eventscope-slo.rules.yml']!;
    expect(slo).toMatch(/messaging_process_duration_seconds_bucket\{le="0\.1"\}/);
    expect(slo).not.toMatch(/sli_error|sli_freshness/);
  });

  it('reports every mistake as a ConfigError, each with its path', () => {
    const issues = issuesOf({
      slos: [{ kind: 'errors', objective: 99.9 }],
      thresholds: { errorRatio: 5 },
      alerts: { runbookBaseUrl: 'runbooks.example.com' },
    });
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['slos[0].objective', 'thresholds.errorRatio', 'alerts.runbookBaseUrl']),
    );
    expect(
      issuesOf({ alerts: { burnRates: [{ severity: 'page', long: '5m', short: '1h', factor: 14.4 }] } }),
    ).toEqual(
      expect.arrayContaining([
        { path: 'alerts.burnRates[0].short', message: expect.stringMatching(/shorter/) },
      ]),
    );
  });

  it('says where a setting of the earlier alerts-only layout lives now', () => {
    const issues = issuesOf({ alerts: { profile: 'test', slos: [] } });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'alerts.profile', message: expect.stringMatching(/top level as profile/) },
        { path: 'alerts.slos', message: expect.stringMatching(/top level as slos/) },
      ]),
    );
  });
});

describe('selectors in the generated test series', () => {
  it('every series carries an equality selector with its value', () => {
    const series = testSeries({ profile: 'test', selectors: { namespace: 'shop' } });
    expect(series.length).toBeGreaterThan(100);
    for (const s of series) expect(s).toContain('namespace="shop"');
  });

  it('a regex selector gets a value it matches; a negated one a value it does not exclude', () => {
    const series = testSeries({
      profile: 'test',
      selectors: { namespace: '=~"(eu|us)-prod-\\\\d+"', track: '!~"canary|shadow"' },
    });
    for (const s of series) {
      expect(s).toContain('namespace="eu-prod-0"');
      expect(s).toContain('track="eventscope-test"');
    }
  });

  it('a value the selector already selects is kept (a service label pinned by a regex)', () => {
    const series = testSeries({ profile: 'test', selectors: { job: '=~"bill.*"' } });
    for (const s of series) expect(/job="([^"]*)"/.exec(s)?.[1], s).toMatch(/^bill.*$/);
    expect(series.some((s) => s.includes('job="billing"'))).toBe(true);
  });

  it('refuses a regex no value can be derived for, naming the selector', () => {
    const issues = issuesOf({ selectors: { namespace: '=~"[a-c]{3}"' } });
    expect(issues).toEqual([
      { path: 'selectors.namespace', message: expect.stringMatching(/simpler regex, or an equality/) },
    ]);
    expect(issuesOf({ selectors: { namespace: '!~".*"' } })[0]!.message).toMatch(/excludes every value/);
  });
});

describe('writeAlerts', () => {
  it('writes every file, and replaces a previous output whole', () => {
    const dir = tempDir();
    try {
      const out = join(dir.path, 'alerts');
      const files = writeAlerts(out, { profile: 'test' }, {});
      for (const path of Object.keys(files)) expect(existsSync(join(out, path)), path).toBe(true);
      writeFileSync(join(out, 'stale.txt'), 'from an older run');
      writeAlerts(out, {}, {});
      expect(existsSync(join(out, 'stale.txt'))).toBe(false);
      expect(readFileSync(join(out, 'rules/eventscope-regressions.rules.yml'), 'utf8')).toMatch(/offset 1w/);
      expect(readdirSync(dir.path)).toEqual(['alerts']);
    } finally {
      dir.remove();
    }
  });

  it('leaves nothing behind, and the previous output untouched, when the configuration is bad', () => {
    const dir = tempDir();
    try {
      const fresh = join(dir.path, 'fresh');
      expect(() => writeAlerts(fresh, { slos: [{ kind: 'errors', objective: 1.5 }] }, {})).toThrow(
        /slos\[0\]\.objective/,
      );
      expect(readdirSync(dir.path)).toEqual([]);

      const existing = join(dir.path, 'existing');
      mkdirSync(existing);
      writeFileSync(join(existing, 'keep.txt'), 'previous output');
      expect(() => writeAlerts(existing, { selectors: { namespace: '=~"[a-c]{3}"' } }, {})).toThrow(
        /selectors\.namespace/,
      );
      expect(readdirSync(dir.path)).toEqual(['existing']);
      expect(readdirSync(existing)).toEqual(['keep.txt']);
    } finally {
      dir.remove();
    }
  });
});
