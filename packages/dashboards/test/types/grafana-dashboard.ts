import type { Dashboard } from '@grafana/schema';

/** The type every generated dashboard must satisfy; its JSON Schema is derived from it in tests. */
export type GrafanaDashboard = Dashboard;
