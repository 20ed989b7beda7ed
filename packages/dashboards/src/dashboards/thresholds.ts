import type { ResolvedConfig, ThresholdStep } from '@eventscope/config';
import { formatValue } from '../units.js';

/**
 * Colour steps of the panels no alert judges. Every quantity an alert also judges (error ratio,
 * GC time, heap, event-loop delay and utilization) takes its steps from @eventscope/config's
 * `panelSteps`, red exactly at the configured alert threshold; burn rates take theirs from the
 * configured burn-rate factors.
 */

/** Process restarts within the dashboard range: any one deserves a look. */
export const restartSteps: readonly ThresholdStep[] = [{ value: 1, color: 'orange' }];

/** Share of the error budget left, above a red base colour: orange from 25 %, green from 50 %. */
export const budgetLeftSteps: readonly ThresholdStep[] = [
  { value: 0.25, color: 'orange' },
  { value: 0.5, color: 'green' },
];

/** The burn-rate factors that page, lowest first (6 and 14.4 by default). */
function pagingFactors(config: ResolvedConfig): number[] {
  const factors = config.burnRates.filter((b) => b.severity === 'page').map((b) => b.factor);
  return [...new Set(factors)].sort((a, b) => a - b);
}

/** Burn-rate steps: orange at the lowest paging factor, red at the highest. */
export function burnRateSteps(config: ResolvedConfig): readonly ThresholdStep[] {
  const factors = pagingFactors(config);
  const highest = factors.at(-1);
  if (highest === undefined) return [];
  const lowest = factors[0]!;
  return [
    ...(lowest < highest ? [{ value: lowest, color: 'orange' }] : []),
    { value: highest, color: 'red' },
  ];
}

/** Steps as a description says them: `orange from 1 %, red from 5 %`. */
export function stepsText(steps: readonly ThresholdStep[], unit: string): string {
  return steps.map((step) => `${step.color} from ${formatValue(step.value, unit)}`).join(', ');
}

/** The value of a step of one colour, formatted in the panel's unit. */
export function stepValue(steps: readonly ThresholdStep[], color: string, unit: string): string {
  const step = steps.find((s) => s.color === color);
  if (!step) throw new Error(`no ${color} step in ${JSON.stringify(steps)}`);
  return formatValue(step.value, unit);
}

/**
 * Lag-in-time steps: red at the freshness objective's threshold — where EventscopeLagOverFreshness
 * fires (the lowest threshold, where several objectives set one), orange at half of it. No steps
 * without a freshness objective: no alert judges the lag then.
 */
export function lagSteps(config: ResolvedConfig): readonly ThresholdStep[] {
  const thresholds = config.slos.flatMap((slo) =>
    slo.kind === 'freshness' && slo.threshold !== undefined ? [slo.threshold] : [],
  );
  if (thresholds.length === 0) return [];
  const red = Math.min(...thresholds);
  return [
    { value: Number((red / 2).toPrecision(12)), color: 'orange' },
    { value: red, color: 'red' },
  ];
}
