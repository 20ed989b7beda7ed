import { type EventscopeConfig, type ResolvedConfig, resolveConfig } from '@eventscope/config';
import type { GeneratedFiles } from '@eventscope/config/output';
import { dashboardJson, generateDashboards } from './generate.js';
import {
  type ConfigMapOptions,
  configMapYaml,
  dashboardProviderYaml,
  datasourceYaml,
  type ProvisioningOptions,
} from './provisioning.js';

export interface DashboardFilesOptions {
  provisioning?: ProvisioningOptions;
  configMap?: ConfigMapOptions;
}

/**
 * The dashboards and everything needed to load them, by path relative to an output folder; pure.
 *
 * ```
 * dashboards/<uid>.json                      import these in the Grafana UI
 * provisioning/dashboards/eventscope.yaml   file provider pointing at the JSON
 * provisioning/datasources/eventscope.yaml  the Prometheus datasource the dashboards select
 * kubernetes/eventscope-dashboards.yaml     ConfigMap for the Grafana sidecar
 * ```
 */
export function dashboardFiles(
  config: EventscopeConfig | ResolvedConfig = {},
  options: DashboardFilesOptions = {},
): GeneratedFiles {
  const resolved = resolveConfig(config);
  const dashboards = generateDashboards(resolved);
  return {
    ...Object.fromEntries(dashboards.map((d) => [`dashboards/${d.fileName}`, dashboardJson(d.dashboard)])),
    'provisioning/dashboards/eventscope.yaml': dashboardProviderYaml(options.provisioning),
    'provisioning/datasources/eventscope.yaml': datasourceYaml(resolved, options.provisioning),
    'kubernetes/eventscope-dashboards.yaml': configMapYaml(dashboards, options.configMap),
  };
}
