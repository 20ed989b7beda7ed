import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type DashboardLinkBuilder,
  type DataSourceRef,
  type Panel,
  RowBuilder,
  type Threshold,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  HeatmapColorMode,
  HeatmapColorOptionsBuilder,
  HeatmapColorScale,
  PanelBuilder as HeatmapPanelBuilder,
  YAxisConfigBuilder,
} from '@grafana/grafana-foundation-sdk/heatmap';
import {
  DataqueryBuilder,
  PromQueryFormat,
  QueryEditorMode,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and query reads from the dashboard's `datasource` variable. */
export const DATASOURCE_VARIABLE = 'datasource';
export const datasourceRef: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

export interface Query {
  expr: string;
  /** Grafana legend template, e.g. `{{messaging_destination_name}}`. */
  legend?: string;
}

export interface PanelSpec {
  title: string;
  /** What the panel shows and what "bad" looks like. */
  description: string;
  /** Grafana unit id: `s`, `bytes`, `percentunit`, `percent`, `ops`, `short`. */
  unit: string;
  queries: readonly Query[];
  /** Grid width (of 24) and height. */
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  /** Threshold steps above the base colour: `[{ value: 0.01, color: 'red' }]`. */
  thresholds?: readonly { value: number; color: string }[];
  /** Colour below the first threshold. Default green. */
  baseColor?: string;
  /** Stack series (throughput by destination, heap by space). */
  stacked?: boolean;
  /** Links on each data point (drill-down). */
  dataLinks?: readonly DashboardLinkBuilder[];
}

export type PanelKind = 'timeseries' | 'stat' | 'heatmap';

const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function target(query: Query, index: number, format?: PromQueryFormat): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .refId(refIds[index] ?? `Q${index}`)
    .datasource(datasourceRef)
    .editorMode(QueryEditorMode.Code)
    .expr(query.expr)
    .range();
  if (query.legend !== undefined) builder.legendFormat(query.legend);
  if (format) builder.format(format);
  return builder;
}

function thresholds(spec: PanelSpec): ThresholdsConfigBuilder {
  const steps: Threshold[] = [{ value: null, color: spec.baseColor ?? 'green' }];
  for (const step of spec.thresholds ?? []) steps.push({ value: step.value, color: step.color });
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/**
 * Hands out panel ids in order, so a dashboard's JSON is identical on every run and links to
 * `viewPanel=<id>` keep working across regenerations.
 */
export class PanelFactory {
  private nextId = 1;

  private common<B extends TimeseriesPanelBuilder | StatPanelBuilder | HeatmapPanelBuilder>(
    builder: B,
    spec: PanelSpec,
  ): B {
    builder
      .id(this.nextId++)
      .title(spec.title)
      .description(spec.description)
      .datasource(datasourceRef)
      .unit(spec.unit)
      .span(spec.width ?? 12)
      .height(spec.height ?? 8);
    if (spec.min !== undefined) builder.min(spec.min);
    if (spec.max !== undefined) builder.max(spec.max);
    if (spec.dataLinks?.length) builder.dataLinks([...spec.dataLinks]);
    return builder;
  }

  /** A row header; rows take ids from the same sequence, so no two panels share one. */
  row(title: string): RowBuilder {
    return new RowBuilder(title).id(this.nextId++);
  }

  timeseries(spec: PanelSpec): cog.Builder<Panel> {
    const builder = this.common(new TimeseriesPanelBuilder(), spec)
      .targets(spec.queries.map((q, i) => target(q, i)))
      .legend(
        new VizLegendOptionsBuilder()
          .showLegend(true)
          .displayMode(LegendDisplayMode.Table)
          .placement(LegendPlacement.Bottom)
          .calcs(['mean', 'max', 'lastNotNull']),
      )
      .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
      .lineWidth(1)
      .fillOpacity(spec.stacked ? 30 : 10)
      .thresholds(thresholds(spec));
    if (spec.stacked) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
    return builder;
  }

  stat(spec: PanelSpec): cog.Builder<Panel> {
    return this.common(new StatPanelBuilder(), { width: 6, height: 5, ...spec })
      .targets(spec.queries.map((q, i) => target(q, i)))
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .graphMode(BigValueGraphMode.Area)
      .colorMode(BigValueColorMode.Value)
      .textMode(BigValueTextMode.Auto)
      .thresholds(thresholds(spec));
  }

  /** A heatmap of a Prometheus histogram: one row per bucket, Grafana reads the `le` layout. */
  heatmap(spec: PanelSpec): cog.Builder<Panel> {
    return this.common(new HeatmapPanelBuilder(), spec)
      .targets(
        spec.queries.map((q, i) =>
          target({ ...q, legend: q.legend ?? '{{le}}' }, i, PromQueryFormat.Heatmap),
        ),
      )
      .calculate(false)
      .color(
        new HeatmapColorOptionsBuilder()
          .mode(HeatmapColorMode.Scheme)
          .scheme('Oranges')
          .scale(HeatmapColorScale.Exponential)
          .exponent(0.5)
          .steps(64)
          .fill('dark-orange')
          .reverse(false),
      )
      .yAxis(new YAxisConfigBuilder().unit(spec.unit))
      .showLegend();
  }
}
