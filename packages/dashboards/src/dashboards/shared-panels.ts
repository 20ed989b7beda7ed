import { panelSteps } from '@eventscope/config';
import { errorRatio, handlerTimeInGc, label, percentile } from '@eventscope/config/promql';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE_INTERVAL } from '../queries.js';
import type { DashboardContext } from './context.js';
import { stepsText } from './thresholds.js';

/**
 * Panels that stand on more than one dashboard with the same query and thresholds. What a panel
 * shows is decided here once; each dashboard words its description for its own scope (all
 * destinations on the overview, one on the drill-down). A description that names a threshold
 * ends with it, written from the configured steps.
 */

/** Share of processed events whose handler failed. `description` ends before the thresholds. */
export function errorRatioStat(
  { config, q, panels }: DashboardContext,
  description: string,
): cog.Builder<Panel> {
  const steps = panelSteps('errorRatio', config.thresholds);
  return panels.stat({
    title: 'Error ratio',
    description: `${description} (${stepsText(steps, 'percentunit')}).`,
    unit: 'percentunit',
    queries: [{ expr: errorRatio(q, [], RATE_INTERVAL) }],
    thresholds: steps,
  });
}

/** The time 99 % of events finish within. `description` ends before the thresholds. */
export function processingLatencyP99Stat(
  { config, q, panels }: DashboardContext,
  description: string,
): cog.Builder<Panel> {
  const steps = panelSteps('processingLatencyP99', config.thresholds);
  return panels.stat({
    title: 'p99 processing latency',
    description: `${description} (${stepsText(steps, 's')}).`,
    unit: 's',
    queries: [{ expr: percentile(q, 0.99, 'processDuration', [], RATE_INTERVAL) }],
    thresholds: steps,
  });
}

/** Processing time p50, p95 and p99 as three lines. */
export function processingLatencyPercentiles(
  { q, panels }: DashboardContext,
  description: string,
): cog.Builder<Panel> {
  return panels.timeseries({
    title: 'Processing latency p50 / p95 / p99',
    description,
    unit: 's',
    queries: [
      { expr: percentile(q, 0.5, 'processDuration', [], RATE_INTERVAL), legend: 'p50' },
      { expr: percentile(q, 0.95, 'processDuration', [], RATE_INTERVAL), legend: 'p95' },
      { expr: percentile(q, 0.99, 'processDuration', [], RATE_INTERVAL), legend: 'p99' },
    ],
  });
}

/** Events per processing-time bucket over time. */
export function processingLatencyHeatmap(
  { q, panels }: DashboardContext,
  description: string,
): cog.Builder<Panel> {
  return panels.heatmap({
    title: 'Processing latency distribution',
    description,
    unit: 's',
    queries: [{ expr: q.sumRate([label.le], 'processDuration', 'bucket', RATE_INTERVAL) }],
  });
}

/** Events over the slow threshold per second, stacked by dominant cause. */
export function slowEventsByCause({ q, panels }: DashboardContext, description: string): cog.Builder<Panel> {
  return panels.timeseries({
    title: 'Slow events by cause',
    description,
    unit: 'ops',
    stacked: true,
    queries: [
      {
        expr: q.sumRate([label.slowCause], 'slowEvents', 'value', RATE_INTERVAL),
        legend: `{{${label.slowCause}}}`,
      },
    ],
  });
}

/**
 * GC pause time that overlapped running handlers over handler time: one line per destination,
 * or one line (`GC share`) where the dashboard shows a single destination.
 */
export function handlerTimeInGcPanel(
  { config, q, panels }: DashboardContext,
  text: { title: string; description: string },
  perDestination: boolean,
): cog.Builder<Panel> {
  const by = perDestination ? [label.destination] : [];
  return panels.timeseries({
    ...text,
    unit: 'percentunit',
    min: 0,
    queries: [
      {
        expr: handlerTimeInGc(q, by, RATE_INTERVAL),
        legend: perDestination ? `{{${label.destination}}}` : 'GC share',
      },
    ],
    thresholds: panelSteps('handlerTimeInGc', config.thresholds),
  });
}
