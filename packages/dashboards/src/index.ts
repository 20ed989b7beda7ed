export {
  ALERTS_SERIES,
  type DashboardKind,
  dashboardKinds,
  dashboardUid,
} from './dashboards/frame.js';
export { comparisonWindow } from './dashboards/regressions.js';
export { type DashboardFilesOptions, dashboardFiles } from './files.js';
export { dashboardJson, type GeneratedDashboard, generateDashboards } from './generate.js';
export { type PanelQuery, panelQueries } from './panel-queries.js';
export { type PreviewOptions, renderPreview } from './preview/render.js';
export {
  type ConfigMapOptions,
  configMapYaml,
  dashboardProviderYaml,
  datasourceYaml,
  type ProvisioningOptions,
} from './provisioning.js';
export { type FilterVariable, filterVariables, RATE_INTERVAL } from './queries.js';
export { resolveVariables, type VariableValues } from './variable-values.js';
export { writeDashboards } from './write.js';
