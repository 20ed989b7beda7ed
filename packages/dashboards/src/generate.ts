import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { destinationDashboard } from './dashboards/destination.js';
import { type DashboardKind, dashboardKinds, dashboardUid } from './dashboards/frame.js';
import { overviewDashboard } from './dashboards/overview.js';
import { regressionsDashboard } from './dashboards/regressions.js';
import { runtimeDashboard } from './dashboards/runtime.js';
import { type DashboardOptions, type ResolvedOptions, resolveOptions } from './options.js';

export interface GeneratedDashboard {
  kind: DashboardKind;
  uid: string;
  /** File name the writer uses: `eventscope-overview.json`. */
  fileName: string;
  dashboard: Dashboard;
}

const builders: Record<DashboardKind, (options: ResolvedOptions) => Dashboard> = {
  overview: overviewDashboard,
  runtime: runtimeDashboard,
  regressions: regressionsDashboard,
  destination: destinationDashboard,
};

/** Every dashboard for one naming flavor, in a stable order. Pure: same options, same JSON. */
export function generateDashboards(options: DashboardOptions = {}): GeneratedDashboard[] {
  const resolved = resolveOptions(options);
  return dashboardKinds.map((kind) => {
    const uid = dashboardUid(resolved, kind);
    return { kind, uid, fileName: `${uid}.json`, dashboard: builders[kind](resolved) };
  });
}

/** A dashboard as Grafana stores it: pretty JSON with a trailing newline, stable across runs. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
