import type { Severity, Thresholds } from './config.js';
import type { ForTier, Profile } from './profile.js';
import type { Queries } from './promql.js';
import type { SeriesBuilder } from './synthetic.js';
import type { ResolvedConfig } from './validate.js';

/** The rule files alerts are grouped in; each has its own generated test file. */
export type RuleGroupName = 'slo' | 'regressions' | 'runtime' | 'pipeline';

export interface AlertContext {
  q: Queries;
  config: ResolvedConfig;
  th: Thresholds;
  profile: Profile;
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
  scenarios: (ctx: AlertContext, rules: RuleInstance[]) => Scenario[];
}

/** The `for:` of a tier in the context's profile. */
export const forOf = (ctx: AlertContext, tier: ForTier) => ctx.profile.forSeconds[tier];

/** Equality matchers (`name="value"`) as labels; other matchers are left out. What `absent()` gives its result. */
export function equalityLabels(matchers: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const matcher of matchers) {
    const eq = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(matcher);
    if (eq) out[eq[1]!] = JSON.parse(`"${eq[2]!}"`);
  }
  return out;
}

/** Labels of a synthetic scrape target that satisfies the user's equality selectors. */
export function targetLabels(ctx: AlertContext, service: string, instance: string): Record<string, string> {
  const out: Record<string, string> = { job: service, instance, ...equalityLabels(ctx.config.matchers) };
  out[ctx.config.serviceLabel] ??= service;
  return out;
}

/** The service a scenario's series belong to: the one the selectors pin, else `billing`. */
export function scenarioService(ctx: AlertContext, fallback = 'billing'): string {
  const pinned = targetLabels(ctx, fallback, 'x')[ctx.config.serviceLabel];
  return pinned ?? fallback;
}

/** Pick from labels only the given names. */
export function pick(labels: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (labels[name] !== undefined) out[name] = labels[name]!;
  return out;
}
