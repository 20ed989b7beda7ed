import {
  type ForTier,
  type Profile,
  type ResolvedConfig,
  type Severity,
  selectorEquality,
  type Thresholds,
} from '@eventscope/config';
import type { Queries } from '@eventscope/config/promql';
import { type SelectorValue, selects } from './selector-values.js';
import type { SeriesBuilder } from './synthetic.js';

/** The rule files alerts are grouped in; each has its own generated test file. */
export type RuleGroupName = 'slo' | 'regressions' | 'runtime' | 'pipeline';

export interface AlertContext {
  q: Queries;
  config: ResolvedConfig;
  th: Readonly<Thresholds>;
  profile: Profile;
  /** The rate window of current values, as PromQL writes it (`5m`; `20s` in the test profile). */
  window: string;
  /** The configured selectors with the label value synthetic test series carry for each. */
  selectorValues: readonly SelectorValue[];
}

/** One alerting rule an alert definition produces (an alert may have several: one per SLO, per baseline …). */
export interface RuleInstance {
  expr: string;
  severity: Severity;
  forSeconds: number;
  /** Static labels besides severity (e.g. `baseline`). */
  labels?: Record<string, string>;
  summary: string;
  /** Annotation template; mentions the value. */
  description: string;
}

/** A Prometheus recording rule: `record` is the series it writes. */
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

/** An alert the scenario expects to be firing at its evaluation time. */
export interface ExpectedAlert {
  rule: RuleInstance;
  /** Labels of the expression's result (before the rule's static labels are added). */
  labels: Record<string, string>;
  value: number;
}

/**
 * Synthetic input for one promtool test group: healthy until `onsetSeconds`, then the condition.
 * `expected` lists every alert of this name firing `settleSeconds` plus the longest `for:` after
 * the onset (an empty list: the case must stay silent); at the onset plus the shortest `for:`
 * minus one step nothing may fire yet.
 */
export interface Scenario {
  /** What the case shows, e.g. "fires when p99 grows 10×; silent when steady or idle". */
  title: string;
  onsetSeconds: number;
  settleSeconds: number;
  build: (series: SeriesBuilder) => void;
  expected: ExpectedAlert[];
  /** When the silent case needs a `for:` to wait (all-silent scenarios), the rules it watches. */
  watches?: RuleInstance[];
}

export interface RunbookCheck {
  title: string;
  expr: string;
}

export interface AlertDefinition {
  name: string;
  group: RuleGroupName;
  /** One line for the README's alert list. */
  meaning: string;
  /** Runbook: why it matters, what usually causes it, what to do. */
  details: string;
  causes: string[];
  actions: string[];
  checks: (ctx: AlertContext) => RunbookCheck[];
  rules: (ctx: AlertContext) => RuleInstance[];
  /** Recording rules the alert's rules read, evaluated in its group just before them. */
  records?: (ctx: AlertContext) => RecordingRule[];
  scenarios: (ctx: AlertContext, rules: RuleInstance[]) => Scenario[];
}

/** The `for:` of a tier in the context's profile. */
export const forOf = (ctx: AlertContext, tier: ForTier) => ctx.profile.forSeconds[tier];

/** The configured equality selectors as labels; other matchers are left out. What `absent()` gives its result. */
export function equalityLabels(ctx: AlertContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, value] of Object.entries(ctx.config.selectors)) {
    const pinned = selectorEquality(value);
    if (pinned !== undefined) out[label] = pinned;
  }
  return out;
}

/** Labels of a synthetic scrape target that every configured selector selects. */
export function targetLabels(ctx: AlertContext, service: string, instance: string): Record<string, string> {
  const out: Record<string, string> = { job: service, instance };
  out[ctx.config.serviceLabel] ??= service;
  for (const selector of ctx.selectorValues) {
    const current = out[selector.label];
    if (current === undefined || !selects(selector, current)) out[selector.label] = selector.value;
  }
  return out;
}

/** The service a scenario's series belong to: the one the selectors pin, else `billing`. */
export function scenarioService(ctx: AlertContext, fallback = 'billing'): string {
  return targetLabels(ctx, fallback, 'x')[ctx.config.serviceLabel] ?? fallback;
}

/** Pick from labels only the given names. */
export function pick(labels: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (labels[name] !== undefined) out[name] = labels[name]!;
  return out;
}

/** Labels without the given names. */
export function omit(labels: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !names.includes(name)));
}
