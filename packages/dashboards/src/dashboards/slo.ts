import { formatDuration, type ResolvedConfig, type ResolvedSlo } from '@eventscope/config';
import { num, sloBadShare } from '@eventscope/config/promql';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { formatValue } from '../units.js';
import type { DashboardContext } from './context.js';
import { budgetLeftSteps, burnRateSteps, stepValue } from './thresholds.js';

/**
 * One burn-rate and one error-budget panel per configured service level objective. The bad-event
 * share is the same expression the burn-rate alerts judge (`sloBadShare`), the lines are the
 * windows of the paging burn-rate pairs, and the panel turns orange and red at their factors.
 */

const percent = (share: number) => `${num(share * 100)} %`;

/** How a title names an objective: `availability 99.9 %`, `latency ≤ 250 ms for 99 %` (… of billing / orders). */
export function sloTitle(slo: ResolvedSlo): string {
  const within = slo.threshold !== undefined ? formatValue(slo.threshold, 's') : '';
  const what =
    slo.kind === 'errors'
      ? `availability ${percent(slo.objective)}`
      : slo.kind === 'latency'
        ? `latency ≤ ${within} for ${percent(slo.objective)}`
        : `freshness: age ≤ ${within} for ${percent(slo.objective)}`;
  const scope = [slo.service, slo.destination].filter((part) => part !== undefined);
  return scope.length ? `${what} of ${scope.join(' / ')}` : what;
}

/** The paging burn-rate pairs, shortest long window first: the lines a burn-rate panel draws. */
function pagingWindows(config: ResolvedConfig): { window: string; factor: number }[] {
  const pairs = config.burnRates.filter((b) => b.severity === 'page');
  const windows = [...new Set(pairs.map((b) => b.longSeconds))].sort((a, b) => a - b);
  return windows.map((seconds) => ({
    window: formatDuration(seconds),
    factor: Math.min(...pairs.filter((b) => b.longSeconds === seconds).map((b) => b.factor)),
  }));
}

export function sloPanels(builder: DashboardBuilder, ctx: DashboardContext): void {
  const { config, q, panels } = ctx;
  if (config.slos.length === 0) return;
  builder.withRow(panels.row('Service-level objectives'));
  const windows = pagingWindows(config);
  const pages = windows.map((w) => `above ${num(w.factor)} over ${w.window}`).join(' or ');
  for (const slo of config.slos) {
    const name = sloTitle(slo);
    const burn = (window: string) => `(${sloBadShare(q, slo, [], window)}) / ${num(slo.budget)}`;
    builder
      .withPanel(
        panels.timeseries({
          title: `Burn rate: ${name}`,
          description: `How fast the error budget of the ${name} SLO is being spent: 1 spends it exactly over the SLO window (${config.sloWindow}). Bad: ${pages} (the alert pages when its short window agrees).`,
          unit: 'short',
          width: 16,
          min: 0,
          queries: windows.map(({ window }) => ({ expr: burn(window), legend: window })),
          thresholds: burnRateSteps(config),
        }),
      )
      .withPanel(
        panels.stat({
          title: `Error budget left: ${name}`,
          description: `Share of the ${name} SLO's error budget left over the last ${config.sloWindow}. Bad: below ${stepValue(budgetLeftSteps, 'orange', 'percentunit')} (slow down risky changes), negative (the SLO is broken).`,
          unit: 'percentunit',
          width: 8,
          height: 8,
          queries: [{ expr: `1 - (${burn(config.sloWindow)})` }],
          baseColor: 'red',
          thresholds: budgetLeftSteps,
        }),
      );
  }
}
