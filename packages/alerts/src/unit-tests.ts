import { formatDuration } from '@eventscope/config';
import type { AlertContext, RuleGroupName, Scenario } from './alert.js';
import { type BuiltAlert, expectedAnnotations, staticLabels } from './rules.js';
import { type InputSeries, SeriesBuilder } from './synthetic.js';

/**
 * `promtool test rules` files: for every alert, synthetic series that must fire it (with its
 * exact labels and annotations, only after its `for:`) beside series that must not (steady,
 * idle). Generated from the same configuration as the rules, so a test written for one set of
 * thresholds fails against rules generated with another.
 */

interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}

export interface PromtoolTestGroup {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertRuleTest[];
}

export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolTestGroup[];
}

function testGroup(ctx: AlertContext, name: string, scenario: Scenario): PromtoolTestGroup {
  const step = ctx.profile.stepSeconds;
  const up = (seconds: number) => Math.ceil(seconds / step);
  const watched = scenario.expected.length ? scenario.expected.map((e) => e.rule) : (scenario.watches ?? []);
  const fors = watched.map((r) => r.forSeconds);
  const longest = fors.length ? Math.max(...fors) : 0;
  const shortest = fors.length ? Math.min(...fors) : 0;
  const onset = up(scenario.onsetSeconds);
  const fireAt = onset + up(scenario.settleSeconds + longest);
  const series = new SeriesBuilder(ctx.q, { stepSeconds: step, onset, end: fireAt });
  scenario.build(series);

  const tests: AlertRuleTest[] = [];
  // Before its `for:` has passed since the onset, the alert may be pending but never firing.
  const quietAt = shortest > 0 ? onset + up(shortest) - 1 : onset - 1;
  if (quietAt >= 0 && quietAt < fireAt) {
    tests.push({ eval_time: formatDuration(quietAt * step), alertname: name, exp_alerts: [] });
  }
  tests.push({
    eval_time: formatDuration(fireAt * step),
    alertname: name,
    exp_alerts: scenario.expected.map((e) => ({
      exp_labels: { ...e.labels, ...staticLabels(e.rule) },
      exp_annotations: expectedAnnotations(ctx, name, e.rule, e.labels, e.value),
    })),
  });
  return {
    name: `${name}: ${scenario.title}`,
    interval: formatDuration(step),
    input_series: series.series,
    alert_rule_test: tests,
  };
}

/** One promtool test file per rule group, next to (`../rules/`) the rule file it tests. */
export function unitTestFiles(
  ctx: AlertContext,
  built: BuiltAlert[],
): Record<RuleGroupName, PromtoolTestFile> {
  const file = (group: RuleGroupName): PromtoolTestFile => ({
    rule_files: [`../rules/eventscope-${group}.rules.yml`],
    evaluation_interval: formatDuration(ctx.profile.stepSeconds),
    tests: built
      .filter((b) => b.definition.group === group && b.rules.length > 0)
      .flatMap((b) => b.definition.scenarios(ctx, b.rules).map((s) => testGroup(ctx, b.definition.name, s))),
  });
  return {
    slo: file('slo'),
    regressions: file('regressions'),
    runtime: file('runtime'),
    pipeline: file('pipeline'),
  };
}
