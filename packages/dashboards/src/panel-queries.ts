import type { Dashboard } from '@grafana/schema';

/** One PromQL expression of a dashboard, with where it lives. */
export interface PanelQuery {
  dashboardUid: string;
  /** Panel id, or undefined for an annotation query. */
  panelId?: number;
  title: string;
  /** `timeseries`, `stat`, `heatmap`, or `annotation`. */
  type: string;
  unit?: string;
  refId: string;
  expr: string;
  legend?: string;
}

interface TargetLike {
  refId?: string;
  expr?: string;
  legendFormat?: string;
}

interface PanelLike {
  id?: number;
  type?: string;
  title?: string;
  targets?: unknown[];
  panels?: PanelLike[];
  fieldConfig?: { defaults?: { unit?: string } };
}

/** Every query of every panel (rows included) and of every annotation, in dashboard order. */
export function panelQueries(dashboard: Dashboard, options: { annotations?: boolean } = {}): PanelQuery[] {
  const uid = dashboard.uid ?? '';
  const out: PanelQuery[] = [];
  const visit = (panel: PanelLike) => {
    for (const child of panel.panels ?? []) visit(child);
    for (const raw of panel.targets ?? []) {
      const target = raw as TargetLike;
      if (!target.expr) continue;
      out.push({
        dashboardUid: uid,
        ...(panel.id !== undefined ? { panelId: panel.id } : {}),
        title: panel.title ?? '',
        type: panel.type ?? '',
        ...(panel.fieldConfig?.defaults?.unit ? { unit: panel.fieldConfig.defaults.unit } : {}),
        refId: target.refId ?? '',
        expr: target.expr,
        ...(target.legendFormat !== undefined ? { legend: target.legendFormat } : {}),
      });
    }
  };
  for (const panel of (dashboard.panels ?? []) as PanelLike[]) visit(panel);
  if (options.annotations) {
    for (const annotation of dashboard.annotations?.list ?? []) {
      const target = annotation.target as TargetLike | undefined;
      if (!target?.expr) continue;
      out.push({
        dashboardUid: uid,
        title: annotation.name,
        type: 'annotation',
        refId: target.refId ?? '',
        expr: target.expr,
      });
    }
  }
  return out;
}
