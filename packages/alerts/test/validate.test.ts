import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { type AlertsConfig, AlertsConfigError, validateConfig, writeAlerts } from '../src/index.js';

/** A bad configuration gives an error naming the field, and nothing half-written is left behind. */

function issuesOf(config: AlertsConfig) {
  try {
    validateConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(AlertsConfigError);
    return (error as AlertsConfigError).issues;
  }
  throw new Error('configuration was accepted');
}

describe('configuration validation', () => {
  it('accepts the defaults', () => {
    const resolved = validateConfig();
    expect(resolved.flavor).toBe('prometheus');
    expect(resolved.profile.name).toBe('production');
    expect(resolved.slos.map((s) => s.budget)).toEqual([0.001, 0.01, 0.01]);
  });

  it.each([
    [{ slos: [{ kind: 'errors', objective: 1.2 }] }, 'slos[0].objective', /outside \(0, 1\)/],
    [{ slos: [{ kind: 'errors', objective: 0 }] }, 'slos[0].objective', /outside \(0, 1\)/],
    [{ slos: [{ kind: 'errors', objective: 99.9 }] }, 'slos[0].objective', /write 0\.999/],
    [{ selectors: { team: 'payments' } }, 'selectors.team', /unknown label "team"/],
    [{ serviceLabel: 'service' }, 'serviceLabel', /unknown label "service"/],
    [
      { slos: [{ kind: 'latency', objective: 0.99, threshold: 250 }] },
      'slos[0].threshold',
      /seconds, not milliseconds \(write 0\.25\)/,
    ],
    [
      { slos: [{ kind: 'latency', objective: 0.99, threshold: 0.3 }] },
      'slos[0].threshold',
      /not a processing time bucket bound/,
    ],
    [{ thresholds: { majorGcPauseSeconds: 100 } }, 'thresholds.majorGcPauseSeconds', /not milliseconds/],
    [{ thresholds: { errorRatio: 5 } }, 'thresholds.errorRatio', /not a percentage \(write 0\.05/],
    [
      { thresholds: { latencyRegressionFactor: 0.5 } },
      'thresholds.latencyRegressionFactor',
      /greater than 1/,
    ],
    [{ thresholds: { heapLimit: 0.9 } }, 'thresholds.heapLimit', /unknown threshold/],
    [
      {
        services: [{ name: 'billing', destinations: ['orders.created'] }],
        slos: [{ kind: 'errors', objective: 0.99, service: 'billing', destination: 'orders.deleted' }],
      },
      'slos[0].destination',
      /unknown destination "orders\.deleted"; service "billing" declare orders\.created/,
    ],
    [
      { slos: [{ kind: 'errors', objective: 0.99, destination: 'orders.created' }] },
      'slos[0].destination',
      /declare it in services/,
    ],
    [
      { services: [{ name: 'billing' }], slos: [{ kind: 'errors', objective: 0.99, service: 'shipping' }] },
      'slos[0].service',
      /unknown service "shipping"/,
    ],
    [
      { alertmanager: { routes: [{ severity: 'page', receiver: 'nobody' }] } },
      'alertmanager.routes[0].receiver',
      /unknown receiver/,
    ],
    [
      { burnRates: [{ severity: 'page', long: '5m', short: '1h', factor: 14.4 }] },
      'burnRates[0].short',
      /shorter than the long window/,
    ],
    [{ flavor: 'graphite' }, 'flavor', /not one of prometheus, otel/],
  ] as [AlertsConfig, string, RegExp][])('%j names %s', (config, field, message) => {
    const issues = issuesOf(config);
    const issue = issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('lists every problem at once, each with its field, in the error message', () => {
    try {
      validateConfig({ slos: [{ kind: 'errors', objective: 2 }], selectors: { team: 'x' } });
      throw new Error('accepted');
    } catch (error) {
      expect(String(error)).toMatch(/\n {2}- slos\[0\]\.objective: .*outside/);
      expect(String(error)).toMatch(/\n {2}- selectors\.team: unknown label/);
    }
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
      expect(() => writeAlerts(existing, { selectors: { team: 'x' } }, {})).toThrow(/selectors\.team/);
      expect(readdirSync(dir.path)).toEqual(['existing']);
      expect(readdirSync(existing)).toEqual(['keep.txt']);
    } finally {
      dir.remove();
    }
  });
});
