export type { AlertDefinition, RuleGroupName } from './alert.js';
export type { Environment, RouteCase } from './alertmanager.js';
export { sliRecord } from './alerts/slo.js';
export { ALERTS_BEGIN, ALERTS_END, renderAlertTable, replaceAlertBlock } from './docs.js';
export { type AlertFiles, generateAlerts, writeAlerts } from './generate.js';
export { alertDefinitions, ruleGroupNames } from './rules.js';
