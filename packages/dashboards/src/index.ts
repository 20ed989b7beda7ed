export {
  ALERTS_SERIES,
  type DashboardKind,
  dashboardKinds,
  dashboardUid,
} from './dashboards/frame.js';
export { baselines, COMPARISON_WINDOW } from './dashboards/regressions.js';
export { dashboardJson, type GeneratedDashboard, generateDashboards } from './generate.js';
export {
  type DashboardOptions,
  type ResolvedOptions,
  resolveOptions,
  type SloOptions,
} from './options.js';
export { type PanelQuery, panelQueries } from './panel-queries.js';
export { type PreviewOptions, renderPreview } from './preview/render.js';
export {
  type ConfigMapOptions,
  configMapYaml,
  dashboardProviderYaml,
  datasourceYaml,
  type ProvisioningOptions,
} from './provisioning.js';
export { resolveVariables, type VariableValues } from './variable-values.js';
export { type WriteOptions, writeDashboards } from './write.js';
