import type { SignalKey } from '@eventscope/catalog';
import { sum } from '@eventscope/config/promql';
import {
  type AlertContext,
  pick,
  type RuleInstance,
  type Scenario,
  scenarioService,
  targetLabels,
} from '../alert.js';

/**
 * Rule and scenario shapes several alerts share: a counter that must not move, a per-instance
 * pair of instances of which one breaks. Each alert still words its own summary and titles.
 */

/** Two scrape targets of the scenario service: `fires` breaks at the onset, `calm` does not. */
export function twoInstances(ctx: AlertContext): {
  fires: Record<string, string>;
  calm: Record<string, string>;
} {
  const service = scenarioService(ctx);
  return {
    fires: targetLabels(ctx, service, '10.0.0.1:9464'),
    calm: targetLabels(ctx, service, '10.0.0.2:9464'),
  };
}

/** Any increase of `signal` over the rate window, per `by`: for counters that should stay flat. */
export const increasedAtAll = (ctx: AlertContext, signal: SignalKey, by: readonly string[]) =>
  `${sum(by, ctx.q.increase(signal, 'value', ctx.window))} > 0`;

/** `signal` rises by `perSecond` on `fires` and stays flat on `calm`: the increase over the window fires. */
export function counterRisesScenario(
  ctx: AlertContext,
  rule: RuleInstance,
  spec: {
    title: string;
    signal: SignalKey;
    fires: Record<string, string>;
    calm: Record<string, string>;
    by: readonly string[];
    perSecond: number;
  },
): Scenario {
  const { signal, fires, calm, perSecond } = spec;
  return {
    title: spec.title,
    onsetSeconds: 2 * ctx.profile.rateSeconds,
    settleSeconds: ctx.profile.rateSeconds,
    build: (s) => {
      s.counter(signal, fires, 0, perSecond);
      s.counter(signal, calm, 0, 0);
    },
    expected: [{ rule, labels: pick(fires, spec.by), value: perSecond * ctx.profile.rateSeconds }],
  };
}
