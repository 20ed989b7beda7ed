import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardJson, generateDashboards } from './generate.js';
import type { DashboardOptions } from './options.js';
import {
  type ConfigMapOptions,
  configMapYaml,
  dashboardProviderYaml,
  datasourceYaml,
  type ProvisioningOptions,
} from './provisioning.js';

export interface WriteOptions extends DashboardOptions {
  provisioning?: ProvisioningOptions;
  configMap?: ConfigMapOptions;
}

/**
 * Write the dashboards and everything needed to load them:
 *
 * ```
 * outDir/dashboards/<uid>.json                      import these in the Grafana UI
 * outDir/provisioning/dashboards/eventscope.yaml   file provider pointing at the JSON
 * outDir/provisioning/datasources/eventscope.yaml  the Prometheus datasource the dashboards select
 * outDir/kubernetes/eventscope-dashboards.yaml     ConfigMap for the Grafana sidecar
 * ```
 *
 * Returns the paths written.
 */
export function writeDashboards(outDir: string, options: WriteOptions = {}): string[] {
  const { provisioning, configMap, ...dashboardOptions } = options;
  const dashboards = generateDashboards(dashboardOptions);
  const files: [string, string][] = [
    ...dashboards.map((d): [string, string] => [join('dashboards', d.fileName), dashboardJson(d.dashboard)]),
    [join('provisioning', 'dashboards', 'eventscope.yaml'), dashboardProviderYaml(provisioning)],
    [join('provisioning', 'datasources', 'eventscope.yaml'), datasourceYaml(dashboardOptions, provisioning)],
    [join('kubernetes', 'eventscope-dashboards.yaml'), configMapYaml(dashboards, configMap)],
  ];
  const written: string[] = [];
  for (const [relative, text] of files) {
    const path = join(outDir, relative);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}
