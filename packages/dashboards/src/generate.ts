import { type EventscopeConfig, type ResolvedConfig, resolveConfig } from '@eventscope/config';
import type {
  Dashboard as SdkDashboard,
  VariableModel as SdkVariable,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/schema';
import { destinationDashboard } from './dashboards/destination.js';
import { type DashboardKind, dashboardKinds, dashboardUid } from './dashboards/frame.js';
import { overviewDashboard } from './dashboards/overview.js';
import { regressionsDashboard } from './dashboards/regressions.js';
import { runtimeDashboard } from './dashboards/runtime.js';

export interface GeneratedDashboard {
  kind: DashboardKind;
  uid: string;
  /** File name the writer uses: `eventscope-overview.json`. */
  fileName: string;
  dashboard: Dashboard;
}

const builders: Record<DashboardKind, (config: ResolvedConfig) => SdkDashboard> = {
  overview: overviewDashboard,
  runtime: runtimeDashboard,
  regressions: regressionsDashboard,
  destination: destinationDashboard,
};

/**
 * Every dashboard for one configuration (its naming flavor, selectors, SLOs, thresholds,
 * baselines and dashboard settings), in a stable order. Pure: same config, same JSON. Throws a
 * ConfigError listing every problem of an invalid config.
 */
export function generateDashboards(config: EventscopeConfig | ResolvedConfig = {}): GeneratedDashboard[] {
  const resolved = resolveConfig(config);
  return dashboardKinds.map((kind) => {
    const uid = dashboardUid(resolved, kind);
    return { kind, uid, fileName: `${uid}.json`, dashboard: toGrafanaDashboard(builders[kind](resolved)) };
  });
}

/**
 * The SDK's dashboard as @grafana/schema types it. Both packages declare the same enums
 * separately, so TypeScript cannot relate the two types; the JSON is what Grafana reads, and the
 * tests validate it against a JSON Schema derived from @grafana/schema's `Dashboard`. Settled here:
 * the SDK writes interval-variable defaults (`auto`, `auto_min`, `auto_count`) and `definition`
 * into every variable, which the schema does not have, and does not require a query's `refId`.
 */
export function toGrafanaDashboard(dashboard: SdkDashboard): Dashboard {
  for (const annotation of dashboard.annotations.list ?? []) {
    const refId = (annotation.target as { refId?: unknown } | undefined)?.refId;
    if (annotation.target && (typeof refId !== 'string' || !refId)) {
      throw new Error(`annotation "${annotation.name}" has a query without refId`);
    }
  }
  const templating = { list: (dashboard.templating.list ?? []).map(schemaVariable) };
  return JSON.parse(JSON.stringify({ ...dashboard, templating })) as Dashboard;
}

function schemaVariable(
  variable: SdkVariable,
): Omit<SdkVariable, 'auto' | 'auto_min' | 'auto_count' | 'definition'> {
  if (variable.type === 'interval') return variable;
  const {
    auto: _auto,
    auto_min: _autoMin,
    auto_count: _autoCount,
    definition: _definition,
    ...rest
  } = variable;
  return rest;
}

/** A dashboard as Grafana stores it: pretty JSON with a trailing newline, stable across runs. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
