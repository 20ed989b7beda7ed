export type { AlertContext, AlertDefinition, RuleGroupName } from './alert.js';
export {
  alertmanagerConfig,
  type Environment,
  type RouteCase,
  receiversFromEnvironment,
  routeCases,
} from './alertmanager.js';
export { sliRecord } from './alerts/slo.js';
export * from './config.js';
export { ALERTS_BEGIN, ALERTS_END, renderAlertTable, replaceAlertBlock } from './docs.js';
export { type AlertFiles, generateAlerts, writeAlerts } from './generate.js';
export { formatDuration, type Profile, parseDuration, profiles } from './profile.js';
export { alertDefinitions, buildAlerts, contextOf, ruleGroupNames } from './rules.js';
export { humanize, humanizeDuration, humanizePercentage, renderTemplate } from './template.js';
export { AlertsConfigError, type ConfigIssue, type ResolvedConfig, validateConfig } from './validate.js';
