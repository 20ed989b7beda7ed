import { attributes } from '@eventscope/catalog';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelFactory } from '../panels.js';
import { type PromQL, sum } from '../promql.js';
import { successShare } from './sli.js';
import { thresholds } from './thresholds.js';

/**
 * Panels that stand on more than one dashboard with the same query and thresholds. What a panel
 * shows is decided here once; each dashboard words its description for its own scope (all
 * destinations on the overview, one on the drill-down).
 */

/** Share of processed events whose handler failed. */
export function errorRatioStat(panels: PanelFactory, q: PromQL, description: string): cog.Builder<Panel> {
  return panels.stat({
    title: 'Error ratio',
    description,
    unit: 'percentunit',
    queries: [{ expr: `1 - (${successShare(q)})` }],
    thresholds: thresholds.errorRatio,
  });
}

/** The time 99 % of events finish within. */
export function processingLatencyP99Stat(
  panels: PanelFactory,
  q: PromQL,
  description: string,
): cog.Builder<Panel> {
  return panels.stat({
    title: 'p99 processing latency',
    description,
    unit: 's',
    queries: [{ expr: q.quantile(0.99, 'processDuration') }],
    thresholds: thresholds.processingLatencyP99,
  });
}

/** Processing time p50, p95 and p99 as three lines. */
export function processingLatencyPercentiles(
  panels: PanelFactory,
  q: PromQL,
  description: string,
): cog.Builder<Panel> {
  return panels.timeseries({
    title: 'Processing latency p50 / p95 / p99',
    description,
    unit: 's',
    queries: [
      { expr: q.quantile(0.5, 'processDuration'), legend: 'p50' },
      { expr: q.quantile(0.95, 'processDuration'), legend: 'p95' },
      { expr: q.quantile(0.99, 'processDuration'), legend: 'p99' },
    ],
  });
}

/** Events per processing-time bucket over time. */
export function processingLatencyHeatmap(
  panels: PanelFactory,
  q: PromQL,
  description: string,
): cog.Builder<Panel> {
  return panels.heatmap({
    title: 'Processing latency distribution',
    description,
    unit: 's',
    queries: [{ expr: sum(['le'], q.rate('processDuration', 'bucket')) }],
  });
}

/** Events over the slow threshold per second, stacked by dominant cause. */
export function slowEventsByCause(panels: PanelFactory, q: PromQL, description: string): cog.Builder<Panel> {
  const cause = q.label(attributes.slowCause);
  return panels.timeseries({
    title: 'Slow events by cause',
    description,
    unit: 'ops',
    stacked: true,
    queries: [{ expr: sum([cause], q.rate('slowEvents')), legend: `{{${cause}}}` }],
  });
}

/**
 * GC pause time that overlapped running handlers over handler time: one line per destination,
 * or one line (`GC share`) where the dashboard shows a single destination.
 */
export function handlerTimeInGc(
  panels: PanelFactory,
  q: PromQL,
  text: { title: string; description: string },
  perDestination: boolean,
): cog.Builder<Panel> {
  const destination = q.label(attributes.destination);
  const by = perDestination ? [destination] : [];
  return panels.timeseries({
    ...text,
    unit: 'percentunit',
    min: 0,
    queries: [
      {
        expr: `${sum(by, q.rate('gcOverlap'))} / ${sum(by, q.rate('processDuration', 'sum'))}`,
        legend: perDestination ? `{{${destination}}}` : 'GC share',
      },
    ],
    thresholds: thresholds.handlerTimeInGc,
  });
}
