import { formatDuration, type ResolvedConfig } from '@eventscope/config';
import { Queries } from '@eventscope/config/promql';
import type { AlertContext, AlertDefinition, RecordingRule, RuleGroupName, RuleInstance } from './alert.js';
import { backlogAlerts } from './alerts/backlog.js';
import { pipelineAlerts } from './alerts/pipeline.js';
import { regressionAlerts } from './alerts/regressions.js';
import { runtimeAlerts } from './alerts/runtime.js';
import { sliRecordingRules, sloAlerts } from './alerts/slo.js';
import { recordingRules } from './recording.js';
import { selectorValues } from './selector-values.js';
import { renderTemplate } from './template.js';

/** Every alert eventscope generates, in the order the README and runbooks list them. */
export const alertDefinitions: readonly AlertDefinition[] = [
  ...sloAlerts,
  ...regressionAlerts,
  ...runtimeAlerts,
  ...pipelineAlerts,
  ...backlogAlerts,
];

export const ruleGroupNames: readonly RuleGroupName[] = ['slo', 'regressions', 'runtime', 'pipeline'];

/** What every alert reads: the queries, thresholds and profile of one resolved configuration. */
export function contextOf(config: ResolvedConfig): AlertContext {
  return {
    q: new Queries(config),
    config,
    th: config.thresholds,
    profile: config.profile,
    window: formatDuration(config.profile.rateSeconds),
    selectorValues: selectorValues(config),
  };
}

export interface BuiltAlert {
  definition: AlertDefinition;
  rules: RuleInstance[];
}

export function buildAlerts(ctx: AlertContext): BuiltAlert[] {
  return alertDefinitions.map((definition) => ({ definition, rules: definition.rules(ctx) }));
}

const runbookUrl = (ctx: AlertContext, alert: string) => `${ctx.config.alerts.runbookBaseUrl}/${alert}.md`;

export interface AlertingRuleYaml {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroupYaml {
  name: string;
  interval?: string;
  rules: (AlertingRuleYaml | RecordingRule)[];
}

/** The labels an alert of this rule carries besides its expression's. */
export const staticLabels = (rule: RuleInstance) => ({ ...(rule.labels ?? {}), severity: rule.severity });

function alertingRule(ctx: AlertContext, name: string, rule: RuleInstance): AlertingRuleYaml {
  return {
    alert: name,
    expr: rule.expr,
    ...(rule.forSeconds > 0 ? { for: formatDuration(rule.forSeconds) } : {}),
    labels: staticLabels(rule),
    annotations: { summary: rule.summary, description: rule.description, runbook_url: runbookUrl(ctx, name) },
  };
}

/** The annotations Prometheus gives an alert of this rule with these expression labels and value. */
export function expectedAnnotations(
  ctx: AlertContext,
  name: string,
  rule: RuleInstance,
  labels: Record<string, string>,
  value: number,
) {
  return {
    summary: renderTemplate(rule.summary, labels, value),
    description: renderTemplate(rule.description, labels, value),
    runbook_url: runbookUrl(ctx, name),
  };
}

/** Rule groups per rule file: `recording` plus one per alert group. */
export function ruleFiles(
  ctx: AlertContext,
  built: BuiltAlert[],
): Record<'recording' | RuleGroupName, RuleGroupYaml[]> {
  const interval = ctx.profile.name === 'test' ? { interval: formatDuration(ctx.profile.stepSeconds) } : {};
  const alertGroup = (group: RuleGroupName): RuleGroupYaml => ({
    name: `eventscope-${group}-alerts`,
    ...interval,
    rules: built
      .filter((b) => b.definition.group === group)
      .flatMap((b) => [
        ...(b.definition.records?.(ctx) ?? []),
        ...b.rules.map((r) => alertingRule(ctx, b.definition.name, r)),
      ]),
  });
  return {
    recording: [{ name: 'eventscope-recording', ...interval, rules: recordingRules(ctx) }],
    slo: [{ name: 'eventscope-slo-sli', ...interval, rules: sliRecordingRules(ctx) }, alertGroup('slo')],
    regressions: [alertGroup('regressions')],
    runtime: [alertGroup('runtime')],
    pipeline: [alertGroup('pipeline')],
  };
}
