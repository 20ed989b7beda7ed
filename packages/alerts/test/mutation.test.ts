import type { EventscopeConfig } from '@eventscope/config';
import { promtoolBinary } from '@eventscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAlerts } from '../src/index.js';
import { materialize, run } from './run-tool.js';

/**
 * The generated tests pin the rules down: tests generated for one configuration fail against
 * rules generated for another whose threshold or burn factor differs.
 */

const promtool = promtoolBinary();
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

async function testsOfAAgainstRulesOfB(a: EventscopeConfig, b: EventscopeConfig, group: string) {
  const tests = generateAlerts(a);
  const rules = generateAlerts(b);
  const dir = materialize({
    [`rules/eventscope-${group}.rules.yml`]: rules[`rules/eventscope-${group}.rules.yml`]!,
    [`tests/eventscope-${group}.test.yml`]: tests[`tests/eventscope-${group}.test.yml`]!,
  });
  cleanups.push(dir.remove);
  return run(promtool!, ['test', 'rules', `tests/eventscope-${group}.test.yml`], dir.path);
}

describe.skipIf(!promtool)('changing the generator makes the generated tests fail', () => {
  const base: EventscopeConfig = { profile: 'test' };

  it('the same configuration passes (control)', async () => {
    const result = await testsOfAAgainstRulesOfB(base, base, 'regressions');
    expect(result.code, result.output).toBe(0);
  });

  it('a higher latency regression factor fails the regression tests', async () => {
    const result = await testsOfAAgainstRulesOfB(
      base,
      { ...base, thresholds: { latencyRegressionFactor: 20 } },
      'regressions',
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/EventscopeLatencyRegression/);
  });

  it('a slightly different threshold fails too (the annotations state it)', async () => {
    const result = await testsOfAAgainstRulesOfB(
      base,
      { ...base, thresholds: { errorRatio: 0.06 } },
      'pipeline',
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/EventscopeHighErrorRatio/);
  });

  it('a different burn factor fails the SLO tests', async () => {
    const burnRates = [
      { severity: 'page' as const, long: '1h', short: '5m', factor: 40 },
      { severity: 'page' as const, long: '6h', short: '30m', factor: 30 },
      { severity: 'ticket' as const, long: '1d', short: '2h', factor: 3 },
      { severity: 'ticket' as const, long: '3d', short: '6h', factor: 1 },
    ];
    const result = await testsOfAAgainstRulesOfB(base, { ...base, alerts: { burnRates } }, 'slo');
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/BudgetBurn/);
  });
});
