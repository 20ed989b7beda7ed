import type { EventscopeConfig, ResolvedConfig } from '@eventscope/config';
import { PrometheusClient, type RangeSeries, type TimeRange } from '@eventscope/config/prometheus-client';
import { type GeneratedDashboard, generateDashboards } from '../generate.js';
import { type PanelQuery, panelQueries } from '../panel-queries.js';
import { type FilterVariable, filterVariables } from '../queries.js';
import { formatValue } from '../units.js';
import { resolveVariables, type VariableValues } from '../variable-values.js';
import { escapeHtml, heatmapChart, lineChart, type NamedSeries } from './charts.js';

export interface PreviewOptions {
  /** Base URL of the Prometheus to query, e.g. `http://127.0.0.1:9090`. */
  prometheusUrl: string;
  /** The configuration the dashboards are generated from (flavor, selectors, SLOs, thresholds …). */
  config?: EventscopeConfig | ResolvedConfig;
  /** Time range; default the last hour, with a step giving ~120 points. Unix seconds. */
  range?: Partial<TimeRange>;
  /** Variable values; unset filters are "All". */
  variables?: VariableValues;
  /** Which dashboards to render; default all. */
  dashboards?: readonly GeneratedDashboard['kind'][];
  /** Page title. */
  title?: string;
  /** What runs the queries; default a `PrometheusClient` for `prometheusUrl` (tests pass canned results). */
  client?: Pick<PrometheusClient, 'queryRange'>;
}

interface PanelResult {
  id: number;
  title: string;
  type: string;
  description: string;
  width: number;
  html: string;
  drawn: boolean;
}

interface RowLike {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  gridPos?: { w?: number };
  fieldConfig?: { defaults?: { unit?: string; min?: number; thresholds?: { steps?: readonly Step[] } } };
}

/** A threshold step as the dashboard JSON carries it: the base step has no value. */
interface Step {
  value: number | null;
  color: string;
}

/** Grafana's named colours as its dark theme draws them; anything else is taken as CSS. */
const grafanaColors: Record<string, string> = {
  green: '#73bf69',
  'semi-dark-green': '#56a64b',
  orange: '#ff9830',
  'semi-dark-orange': '#fa6400',
  red: '#f2495c',
  'semi-dark-red': '#e02f44',
  'dark-red': '#c4162a',
  yellow: '#fade2a',
  blue: '#5794f2',
  purple: '#b877d9',
  text: '#ccccdc',
};
export const cssColor = (color: string) => grafanaColors[color] ?? color;

/**
 * The colour Grafana draws a value in: that of the highest step it reaches (the base step, with
 * no value, always applies). Steps are the panel's absolute thresholds, the same numbers the
 * alerts fire at.
 */
export function stepColor(value: number, steps: readonly Step[] | undefined): string | undefined {
  let color: string | undefined;
  for (const step of steps ?? []) {
    if (step.value === null || value >= step.value) color = step.color;
  }
  return color;
}

/** What "All" means for each filter variable, as a heading says it. */
const everything: Record<FilterVariable, string> = {
  job: 'all services',
  instance: 'all instances',
  system: 'all messaging systems',
  destination: 'all destinations',
  consumer_group: 'all consumer groups',
};

/** A variable's value as a reader says it: `orders\.created|payments\.settled` → `orders.created, payments.settled`. */
function spoken(value: string): string {
  return value
    .split('|')
    .map((part) => part.replace(/\\(.)/g, '$1'))
    .join(', ');
}

/**
 * A row title with its variables as text: the chosen values, or "all destinations" where the
 * variable is All — never the `.*` the queries receive.
 */
export function headingText(title: string, variables: VariableValues): string {
  return title.replace(
    /\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]|\$([a-zA-Z_][a-zA-Z0-9_]*)/g,
    (
      match: string,
      braced: string | undefined,
      bracketed: string | undefined,
      bare: string | undefined,
      offset: number,
    ) => {
      const name = (braced ?? bracketed ?? bare)!;
      if (!(filterVariables as readonly string[]).includes(name)) return resolveVariables(match, variables);
      const value = variables[name as FilterVariable];
      if (value !== undefined && value !== '' && value !== '.*' && value !== '.+') return spoken(value);
      // "All destinations at a glance"; a chosen value keeps its own spelling.
      const all = everything[name as FilterVariable];
      return offset === 0 ? all.charAt(0).toUpperCase() + all.slice(1) : all;
    },
  );
}

const legendName = (legend: string | undefined, labels: Record<string, string>): string => {
  if (legend)
    return legend.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_m, name: string) => labels[name] ?? '');
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length ? `{${pairs.join(', ')}}` : 'value';
};

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function renderPanel(
  panel: RowLike,
  queries: readonly PanelQuery[],
  prometheus: Pick<PrometheusClient, 'queryRange'>,
  range: TimeRange,
  variables: VariableValues,
): Promise<PanelResult> {
  const unit = panel.fieldConfig?.defaults?.unit ?? 'short';
  const base = {
    id: panel.id ?? 0,
    title: panel.title ?? '',
    type: panel.type ?? '',
    description: panel.description ?? '',
    width: panel.gridPos?.w ?? 12,
  };
  let results: { query: PanelQuery; series: RangeSeries[] }[];
  try {
    results = await Promise.all(
      queries.map(async (query) => ({
        query,
        series: await prometheus.queryRange(resolveVariables(query.expr, variables), range),
      })),
    );
  } catch (error) {
    return { ...base, html: `<p class="error">${escapeHtml(String(error))}</p>`, drawn: false };
  }
  const named: NamedSeries[] = results.flatMap(({ query, series }) =>
    series
      .filter((s) => s.points.length > 0)
      .map((s) => ({ ...s, name: legendName(query.legend, s.metric) })),
  );
  if (named.length === 0) return { ...base, html: '<p class="nodata">No data</p>', drawn: false };
  if (panel.type === 'stat') {
    const last = named[0]!.points.at(-1)![1];
    const color = stepColor(last, panel.fieldConfig?.defaults?.thresholds?.steps);
    const style = color
      ? ` data-color="${escapeHtml(color)}" style="color:${escapeHtml(cssColor(color))}"`
      : '';
    return {
      ...base,
      html: `<p class="stat" data-value="${last}"${style}>${escapeHtml(formatValue(last, unit))}</p>${lineChart(named.slice(0, 1), range, unit)}`,
      drawn: true,
    };
  }
  if (panel.type === 'heatmap') return { ...base, html: heatmapChart(named, range, unit), drawn: true };
  return { ...base, html: lineChart(named, range, unit, panel.fieldConfig?.defaults?.min), drawn: true };
}

const styles = `
body{font:13px/1.4 system-ui,sans-serif;background:#111217;color:#ccccdc;margin:0;padding:16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 4px}h3{font-size:14px;margin:18px 0 6px;color:#9fa7b3;grid-column:1/-1}
.meta{color:#8e8e8e;margin:0 0 8px}
.grid{display:grid;grid-template-columns:repeat(24,1fr);gap:8px}
.panel{background:#181b1f;border:1px solid #2c3235;border-radius:4px;padding:8px;min-width:0}
.panel h4{margin:0 0 4px;font-size:13px}.panel .desc{color:#8e8e8e;font-size:11px;margin:0 0 6px}
.panel svg{width:100%;height:auto;display:block}
svg text{fill:#9fa7b3;font-size:10px}svg line.grid{stroke:#2c3235}
.stat{font-size:28px;font-weight:600;margin:4px 0;color:#ccccdc}
.legend{list-style:none;padding:0;margin:4px 0 0;font-size:11px;display:flex;flex-wrap:wrap;gap:2px 12px}
.legend span{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.nodata{color:#8e8e8e;font-style:italic}.error{color:#e24d42;font-size:11px;word-break:break-all}
`;

// Counts, in the browser, the panels whose charts actually have a visible extent: proof that they drew.
const countScript = `
(function(){var n=0;document.querySelectorAll('.panel[data-drawn="true"]').forEach(function(p){
var ok=false;p.querySelectorAll('.series').forEach(function(s){var b=s.getBBox();if(b.width>0||b.height>0)ok=true;});
if(ok){p.setAttribute('data-rendered','true');n++;}});document.body.setAttribute('data-panels-rendered',String(n));})();
`;

/**
 * One self-contained HTML page with every panel of the dashboards drawn from a real Prometheus:
 * time series as SVG line charts, stats as numbers, heatmaps as SVG cells. For people without
 * Grafana at hand, and for reviewing dashboards in CI.
 */
export async function renderPreview(preview: PreviewOptions): Promise<string> {
  const end = preview.range?.end ?? Math.floor(Date.now() / 1000);
  const start = preview.range?.start ?? end - 3600;
  const step = preview.range?.step ?? Math.max(1, Math.round((end - start) / 120));
  const range: TimeRange = { start, end, step };
  const variables = {
    rateInterval: `${Math.max(4 * step, 60)}s`,
    range: `${end - start}s`,
    ...preview.variables,
  };
  const wanted = new Set(preview.dashboards ?? ['overview', 'runtime', 'regressions', 'destination']);
  const dashboards = generateDashboards(preview.config).filter((d) => wanted.has(d.kind));
  const prometheus = preview.client ?? new PrometheusClient(preview.prometheusUrl);

  const sections: string[] = [];
  let total = 0;
  let drawn = 0;
  for (const { dashboard, uid } of dashboards) {
    const queries = panelQueries(dashboard);
    const items = (dashboard.panels ?? []) as RowLike[];
    const rendered = await mapLimit(items, 4, async (panel) =>
      panel.type === 'row'
        ? undefined
        : renderPanel(
            panel,
            queries.filter((q) => q.panelId === panel.id),
            prometheus,
            range,
            variables,
          ),
    );
    const body = items.map((panel, i) => {
      const result = rendered[i];
      if (!result) return `<h3>${escapeHtml(headingText(panel.title ?? '', variables))}</h3>`;
      total++;
      if (result.drawn) drawn++;
      return `<section class="panel" data-panel-id="${result.id}" data-type="${result.type}" data-drawn="${result.drawn}" style="grid-column:span ${result.width}"><h4>${escapeHtml(result.title)}</h4><p class="desc">${escapeHtml(result.description)}</p>${result.html}</section>`;
    });
    sections.push(
      `<h2 data-dashboard="${escapeHtml(uid)}">${escapeHtml(dashboard.title ?? uid)}</h2><p class="meta">${escapeHtml(dashboard.description ?? '')}</p><div class="grid">${body.join('')}</div>`,
    );
  }
  const title = preview.title ?? 'eventscope dashboards preview';
  const when = `${new Date(start * 1000).toISOString()} – ${new Date(end * 1000).toISOString()}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${styles}</style></head>
<body data-panels-total="${total}" data-panels-drawn="${drawn}">
<h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(when)} · step ${step}s · ${drawn} of ${total} panels with data · ${escapeHtml(preview.prometheusUrl)}</p>
${sections.join('\n')}
<script>${countScript}</script>
</body></html>
`;
}
