import { type EventscopeConfig, type ResolvedConfig, resolveConfig } from '@eventscope/config';
import type { GeneratedDashboard } from './generate.js';
import { dashboardJson } from './generate.js';

/**
 * Grafana provisioning files and a Kubernetes ConfigMap for the generated dashboards. Written as
 * YAML by hand: the structures are small and fixed, and the package keeps no YAML dependency.
 */

const yamlString = (text: string) => JSON.stringify(text);

export interface ProvisioningOptions {
  /** Folder the dashboards appear in. Default `eventscope`. */
  folder?: string;
  /** Where the dashboard JSON files are inside the Grafana container. Default `/var/lib/grafana/dashboards/eventscope`. */
  dashboardsPath?: string;
  /** URL Grafana reaches Prometheus at. Default `http://prometheus:9090`. */
  prometheusUrl?: string;
}

/** `provisioning/dashboards/eventscope.yaml`: a file provider that loads the JSON files. */
export function dashboardProviderYaml(options: ProvisioningOptions = {}): string {
  return [
    'apiVersion: 1',
    'providers:',
    '  - name: eventscope',
    '    orgId: 1',
    `    folder: ${yamlString(options.folder ?? 'eventscope')}`,
    '    type: file',
    '    disableDeletion: false',
    '    allowUiUpdates: false',
    '    updateIntervalSeconds: 30',
    '    options:',
    `      path: ${yamlString(options.dashboardsPath ?? '/var/lib/grafana/dashboards/eventscope')}`,
    '      foldersFromFilesStructure: false',
    '',
  ].join('\n');
}

/**
 * `provisioning/datasources/eventscope.yaml`: the Prometheus datasource, with the uid the dashboards
 * select and the configured scrape interval (Grafana derives `$__rate_interval` from it).
 */
export function datasourceYaml(
  config: EventscopeConfig | ResolvedConfig = {},
  options: ProvisioningOptions = {},
): string {
  const resolved = resolveConfig(config);
  return [
    'apiVersion: 1',
    'datasources:',
    '  - name: Prometheus',
    '    type: prometheus',
    `    uid: ${yamlString(resolved.dashboards.datasourceUid)}`,
    '    access: proxy',
    `    url: ${yamlString(options.prometheusUrl ?? 'http://prometheus:9090')}`,
    '    isDefault: true',
    '    editable: true',
    '    jsonData:',
    '      httpMethod: POST',
    `      timeInterval: ${resolved.prometheus.scrapeInterval}`,
    '',
  ].join('\n');
}

export interface ConfigMapOptions {
  name?: string;
  namespace?: string;
  /** Folder annotation read by the kube-prometheus Grafana sidecar. Default `eventscope`. */
  folder?: string;
}

/**
 * A ConfigMap holding every dashboard, labelled `grafana_dashboard: "1"` so the Grafana sidecar of
 * kube-prometheus-stack (and the Grafana Helm chart) picks it up.
 */
export function configMapYaml(
  dashboards: readonly GeneratedDashboard[],
  options: ConfigMapOptions = {},
): string {
  const lines = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${yamlString(options.name ?? 'eventscope-dashboards')}`,
  ];
  if (options.namespace) lines.push(`  namespace: ${yamlString(options.namespace)}`);
  lines.push(
    '  labels:',
    '    grafana_dashboard: "1"',
    '    app.kubernetes.io/part-of: eventscope',
    '  annotations:',
    `    grafana_folder: ${yamlString(options.folder ?? 'eventscope')}`,
    'data:',
  );
  for (const { fileName, dashboard } of dashboards) {
    lines.push(`  ${fileName}: |-`);
    for (const line of dashboardJson(dashboard).trimEnd().split('\n')) lines.push(`    ${line}`);
  }
  return `${lines.join('\n')}\n`;
}
