import type { SignalKey } from '@eventscope/catalog';
import { formatDuration, type ResolvedSlo, type Severity, type SloKind } from '@eventscope/config';
import { equals, label, num, sloBadShare } from '@eventscope/config/promql';
import {
  type AlertContext,
  type AlertDefinition,
  type ExpectedAlert,
  forOf,
  pick,
  type RecordingRule,
  type RuleInstance,
  type Scenario,
  targetLabels,
} from '../alert.js';
import type { SeriesBuilder } from '../synthetic.js';

/**
 * Service level objectives with multi-window, multi-burn-rate alerts (SRE workbook, chapter 5):
 * an alert fires when both a long and a short window burn the error budget faster than a factor;
 * the short window makes it resolve soon after the problem ends.
 */

interface SloKindInfo {
  alert: string;
  /** `sli_error` in `slo:sli_error:ratio_rate5m`. */
  record: string;
  /** What a bad event is, for people. */
  bad: (slo: ResolvedSlo) => string;
  signal: SignalKey;
}

const sloKinds: Record<SloKind, SloKindInfo> = {
  errors: {
    alert: 'EventscopeErrorBudgetBurn',
    record: 'sli_error',
    bad: () => 'failed events',
    signal: 'processDuration',
  },
  latency: {
    alert: 'EventscopeLatencyBudgetBurn',
    record: 'sli_latency',
    bad: (slo) => `events processed in over ${slo.threshold} s`,
    signal: 'processDuration',
  },
  freshness: {
    alert: 'EventscopeFreshnessBudgetBurn',
    record: 'sli_freshness',
    bad: (slo) => `events older than ${slo.threshold} s when processing starts`,
    signal: 'eventAge',
  },
};

/** `slo:sli_error:ratio_rate1h`: share of bad events over a window, per service and destination. */
export const sliRecord = (kind: SloKind, windowSeconds: number) =>
  `slo:${sloKinds[kind].record}:ratio_rate${formatDuration(windowSeconds)}`;

/** The bad-event ratio of an SLO over a window: the vocabulary's, as the dashboards show it. */
function sliExpression(ctx: AlertContext, slo: ResolvedSlo, windowSeconds: number): string {
  return sloBadShare(ctx.q, slo, ctx.q.byDestination, formatDuration(windowSeconds));
}

/** Every window any burn-rate pair uses, shortest first. */
const burnWindows = (ctx: AlertContext) =>
  [...new Set(ctx.config.burnRates.flatMap((b) => [b.shortSeconds, b.longSeconds]))].sort((a, b) => a - b);

export function sliRecordingRules(ctx: AlertContext): RecordingRule[] {
  return ctx.config.slos.flatMap((slo) =>
    burnWindows(ctx).map((w) => ({
      record: sliRecord(slo.kind, w),
      expr: sliExpression(ctx, slo, w),
      labels: { slo: slo.name },
    })),
  );
}

const sloOfRule = new WeakMap<RuleInstance, ResolvedSlo>();

const pairsText = (ctx: AlertContext, severity: Severity) =>
  ctx.config.burnRates
    .filter((b) => b.severity === severity)
    .map(
      (b) => `${num(b.factor)}× over ${formatDuration(b.longSeconds)} and ${formatDuration(b.shortSeconds)}`,
    )
    .join(', or ');

function burnRules(kind: SloKind) {
  return (ctx: AlertContext): RuleInstance[] =>
    ctx.config.slos
      .filter((slo) => slo.kind === kind)
      .flatMap((slo) =>
        (['page', 'ticket'] as const).map((severity) => {
          const pairs = ctx.config.burnRates.filter((b) => b.severity === severity);
          const sel = `{${equals('slo', slo.name)}}`;
          const burning = (w: number, factor: number) =>
            `${sliRecord(kind, w)}${sel} / ${num(slo.budget)} > ${num(factor)}`;
          const expr = pairs
            .map(
              (b) =>
                `(\n  ${burning(b.longSeconds, b.factor)}\nand\n  ${burning(b.shortSeconds, b.factor)}\n)`,
            )
            .join('\nor\n');
          const rule: RuleInstance = {
            expr,
            severity,
            // Also the series' own label; stated here so each SLO's rule is distinct to promtool's lint.
            labels: { slo: slo.name },
            forSeconds: forOf(ctx, severity === 'page' ? 'short' : 'long'),
            summary: `{{ $labels.${ctx.q.service} }} burns the ${kind} budget of SLO {{ $labels.slo }} on {{ $labels.${label.destination} }}`,
            description: `${sloKinds[kind].bad(slo)} on {{ $labels.${label.destination} }} in {{ $labels.${ctx.q.service} }} burn the budget of the ${num(slo.objective * 100)} % objective {{ $value | humanize }} times faster than sustainable (alerting at ${pairsText(ctx, severity)}).`,
          };
          sloOfRule.set(rule, slo);
          return rule;
        }),
      );
}

/** Which of the rules fire, and with what burn, when a destination has this share of bad events. */
function expectedBurns(
  ctx: AlertContext,
  rules: RuleInstance[],
  series: Record<string, string>,
  badRatio: number,
): ExpectedAlert[] {
  const out: ExpectedAlert[] = [];
  for (const rule of rules) {
    const slo = sloOfRule.get(rule)!;
    if (slo.service !== undefined && series[ctx.q.service] !== slo.service) continue;
    if (slo.destination !== undefined && series[label.destination] !== slo.destination) continue;
    const burn = badRatio / slo.budget;
    const fires = ctx.config.burnRates.some((b) => b.severity === rule.severity && burn > b.factor);
    if (fires)
      out.push({ rule, labels: { ...pick(series, ctx.q.byDestination), slo: slo.name }, value: burn });
  }
  return out;
}

/** Values observed by good and bad events: bad ones above every threshold (the +Inf bucket), good ones in the first bucket. */
const observed: Record<SloKind, { good: number; bad: number }> = {
  errors: { good: 0.0001, bad: 0.0001 },
  latency: { good: 0.0001, bad: 100 },
  freshness: { good: 0.001, bad: 10_000 },
};

/** From the onset, `total` events per second of which the share `bad` is bad for an SLO of this kind. */
function eventsWithBadShare(kind: SloKind, labels: Record<string, string>, total: number, bad: number) {
  return (s: SeriesBuilder) => {
    const signal = sloKinds[kind].signal;
    const { good: goodValue, bad: badValue } = observed[kind];
    const none = { perSecond: 0, value: goodValue };
    const good = { perSecond: total * (1 - bad), value: goodValue };
    if (kind === 'errors') {
      s.histogram(signal, labels, none, good);
      s.failures(labels, 'ValidationError', none, { perSecond: total * bad, value: goodValue });
    } else {
      s.histogram(signal, labels, none, [good, { perSecond: total * bad, value: badValue }]);
    }
  };
}

interface BurnCase {
  title: string;
  /** Share of bad events from the onset. */
  bad: number;
  /** Whether an idle destination with the same share of bad events runs beside (it must stay silent). */
  withIdle: boolean;
}

/** Shares of bad events that page (and ticket), open a ticket only (when the factors leave room), and stay silent. */
function burnCases(ctx: AlertContext, slo: ResolvedSlo): BurnCase[] {
  const factors = (severity: Severity) =>
    ctx.config.burnRates.filter((b) => b.severity === severity).map((b) => b.factor);
  const minPage = Math.min(...factors('page'));
  const maxPage = Math.max(...factors('page'));
  const minTicket = Math.min(...factors('ticket'));
  const out: BurnCase[] = [];
  const pageRatio = Math.min(slo.budget * maxPage * 2, (1 + slo.budget * minPage) / 2);
  if (pageRatio / slo.budget > minPage) {
    out.push({
      title: `${slo.name}: ${num(pageRatio * 100)} % bad events page (and ticket)`,
      bad: pageRatio,
      withIdle: false,
    });
  }
  const ticketRatio = (slo.budget * (minTicket + minPage)) / 2;
  if (minTicket < minPage && ticketRatio < 1) {
    out.push({
      title: `${slo.name}: ${num(ticketRatio * 100)} % bad events open a ticket only`,
      bad: ticketRatio,
      withIdle: false,
    });
  }
  const quietRatio = (slo.budget * minTicket) / 2;
  out.push({
    title: `${slo.name}: ${num(quietRatio * 100)} % bad events, or no traffic: silent`,
    bad: quietRatio,
    withIdle: true,
  });
  return out;
}

function burnScenarios(kind: SloKind) {
  return (ctx: AlertContext, rules: RuleInstance[]): Scenario[] =>
    ctx.config.slos
      .filter((slo) => slo.kind === kind)
      .flatMap((slo) => {
        const at = (destination: string) => ({
          ...targetLabels(ctx, slo.service ?? 'billing', '10.0.0.1:9464'),
          [label.system]: 'nats',
          [label.destination]: destination,
          [label.consumerGroup]: 'billing',
        });
        const main = at(slo.destination ?? 'orders.created');
        const idle = at('audit.logged');
        const busy = 10;
        return burnCases(ctx, slo).map(
          ({ title, bad, withIdle }): Scenario => ({
            title,
            onsetSeconds: ctx.profile.stepSeconds,
            settleSeconds: 2 * ctx.profile.stepSeconds,
            build: (s) => {
              eventsWithBadShare(kind, main, busy, bad)(s);
              if (withIdle) eventsWithBadShare(kind, idle, 0, bad)(s);
            },
            expected: expectedBurns(ctx, rules, main, bad),
            watches: rules.filter((r) => sloOfRule.get(r) === slo),
          }),
        );
      });
}

const sloCauses = {
  errors: ['Handlers throwing for a class of events (bad input, failing dependency, new deploy).'],
  latency: [
    'GC pauses from memory pressure: the heap grows, major GCs lengthen, events overlapping them are slow.',
    'A blocked event loop; a slower dependency.',
  ],
  freshness: [
    'Consumers slower than producers (backlog): slower handlers, fewer consumers.',
    'Consumers stalled for a while and now processing old events.',
  ],
};

function sloAlert(kind: SloKind): AlertDefinition {
  const info = sloKinds[kind];
  return {
    name: info.alert,
    group: 'slo',
    meaning: `The ${kind} objective's error budget burns too fast: page at 14.4× over 1h and 5m or 6× over 6h and 30m; ticket at 3× over 1d and 2h or 1× over 3d and 6h (defaults).`,
    details: `The share of ${kind === 'errors' ? 'failed events' : kind === 'latency' ? 'slow events' : 'stale events'} is high enough, over both a long and a short window, that the error budget of the objective will be spent well before the SLO period ends. The page severity means the budget goes within days; the ticket severity within weeks.`,
    causes: sloCauses[kind],
    actions: [
      'Find the destination and time the bad events started; line it up with deploys, traffic and the GC and heap panels.',
      'Mitigate first (roll back, scale out, shed load), then find the cause.',
    ],
    checks: (ctx) =>
      ctx.config.slos
        .filter((s) => s.kind === kind)
        .flatMap((slo) => [
          {
            title: `Bad-event ratio of ${slo.name} over ${formatDuration(burnWindows(ctx)[0]!)}`,
            expr: sliExpression(ctx, slo, burnWindows(ctx)[0]!),
          },
          {
            title: `Burn rate of ${slo.name} per window`,
            expr: burnWindows(ctx)
              .map((w) => `${sliRecord(kind, w)}{${equals('slo', slo.name)}} / ${num(slo.budget)}`)
              .join('\nor\n'),
          },
        ]),
    rules: burnRules(kind),
    scenarios: burnScenarios(kind),
  };
}

export const errorBudgetBurn = sloAlert('errors');
export const latencyBudgetBurn = sloAlert('latency');
export const freshnessBudgetBurn = sloAlert('freshness');

export const sloAlerts: AlertDefinition[] = [errorBudgetBurn, latencyBudgetBurn, freshnessBudgetBurn];
