import {
  targetLabels as catalogTargetLabels,
  type NamingFlavor,
  type SemconvNames,
} from '@eventscope/catalog';
import { formatDuration, parseDuration } from './durations.js';
import { ConfigError, type ConfigIssue, issuesFrom } from './errors.js';
import { type Profile, profiles } from './profiles.js';
import {
  type AlertmanagerOptions,
  configSchema,
  type EventscopeConfig,
  type ServiceConfig,
  type Severity,
  type SloKind,
  severities,
} from './schema.js';
import { selectorMatcher } from './selectors.js';
import { defaultThresholds, type Thresholds } from './thresholds.js';

export interface ResolvedSlo {
  name: string;
  kind: SloKind;
  objective: number;
  /** 1 − objective, rounded so it prints as written (0.001, not 0.0010000000000000009). */
  budget: number;
  /** Seconds; latency and freshness only. */
  threshold?: number;
  service?: string;
  destination?: string;
}

export interface ResolvedBurnRate {
  severity: Severity;
  longSeconds: number;
  shortSeconds: number;
  factor: number;
}

export interface Baseline {
  /** How it is written in PromQL and titles: `1d`, `1w`, `1m`. */
  label: string;
  offsetSeconds: number;
}

/** A configuration with every default filled in and every field checked: what every generator reads. */
export interface ResolvedConfig {
  readonly resolved: true;
  flavor: NamingFlavor;
  /** Which name of a renamed semantic-convention signal the queries select. */
  semconvNames: SemconvNames;
  profile: Profile;
  serviceLabel: string;
  /** The selectors as the user wrote them. */
  selectors: Readonly<Record<string, string>>;
  /** The selectors as PromQL matchers (`namespace="shop"`, `env=~"prod-.*"`), added to every selector. */
  matchers: readonly string[];
  /** Labels every series carries from its scrape target: job, instance, the selectors' and the declared extra ones. */
  targetLabels: readonly string[];
  services: ServiceConfig[];
  slos: ResolvedSlo[];
  sloWindow: string;
  thresholds: Readonly<Thresholds>;
  baselines: readonly Baseline[];
  burnRates: ResolvedBurnRate[];
  dashboards: {
    datasourceUid: string;
    uidPrefix: string;
    titlePrefix: string;
    tags: readonly string[];
    refresh: string;
    timeFrom: string;
  };
  alerts: {
    runbookBaseUrl: string;
    alertmanager: AlertmanagerOptions;
    ruleLabels: Readonly<Record<string, string>>;
  };
  prometheus: {
    targets: readonly string[];
    scrapeInterval: string;
    job: string;
    alertmanager: string;
  };
}

export const defaultRunbookBaseUrl =
  'https://github.com/eventscope/eventscope/blob/main/packages/alerts/runbooks';

/** SRE workbook, chapter 5: 2 % of a 30-day budget in 1 h, 5 % in 6 h page; 10 % in 1 d, 10 % in 3 d ticket. */
export const defaultBurnRates = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'page', long: '6h', short: '30m', factor: 6 },
  { severity: 'ticket', long: '1d', short: '2h', factor: 3 },
  { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
] as const;

export const defaultSlos = [
  { kind: 'errors', objective: 0.999 },
  { kind: 'latency', objective: 0.99, threshold: 0.25 },
  { kind: 'freshness', objective: 0.99, threshold: 5 },
] as const;

const tidy = (value: number) => Number(value.toPrecision(12));

/** Wrong types say what was expected and what was given, in the config's own words. */
function typeMessage(issue: { code: string; expected?: string; input?: unknown }): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const given = issue.input === undefined ? 'nothing' : JSON.stringify(issue.input);
  const expected =
    issue.expected === 'object'
      ? 'an object (key: value)'
      : issue.expected === 'array'
        ? 'a list'
        : `a ${issue.expected}`;
  return issue.input === undefined ? 'is required' : `must be ${expected}, got ${given}`;
}

/** Whether a value is already a resolved config (generators accept either). */
export function isResolved(config: unknown): config is ResolvedConfig {
  return typeof config === 'object' && config !== null && (config as ResolvedConfig).resolved === true;
}

/**
 * Check a configuration and fill in its defaults. Throws a ConfigError listing every problem,
 * each with its path; `source` (a file name) goes into the message.
 */
export function resolveConfig(input: unknown = {}, source?: string): ResolvedConfig {
  if (isResolved(input)) return input;
  const parsed = configSchema.safeParse(input ?? {}, { error: typeMessage });
  if (!parsed.success) {
    const issues = issuesFrom(configSchema, parsed.error);
    throw new ConfigError(issues, source);
  }
  const issues: ConfigIssue[] = [];
  const resolved = build(parsed.data, issues);
  if (issues.length > 0) throw new ConfigError(issues, source);
  return resolved;
}

type Parsed = ReturnType<typeof configSchema.parse>;

function build(config: Parsed, issues: ConfigIssue[]): ResolvedConfig {
  const profile = profiles[config.profile ?? 'production'];
  const selectors = config.selectors ?? {};
  const targetLabels = [
    ...new Set([...catalogTargetLabels, ...(config.extraTargetLabels ?? []), ...Object.keys(selectors)]),
  ];
  const serviceLabel = config.serviceLabel ?? 'job';
  if (!targetLabels.includes(serviceLabel)) {
    issues.push({
      path: 'serviceLabel',
      message: `"${serviceLabel}" is not a scrape-target label (${targetLabels.join(', ')}); declare it in extraTargetLabels`,
    });
  }
  const services = config.services ?? [];
  checkServices(services, issues);
  return {
    resolved: true,
    flavor: config.flavor ?? 'prometheus',
    semconvNames: config.semconvNames ?? 'old',
    profile,
    serviceLabel,
    selectors,
    matchers: Object.entries(selectors).map(([label, value]) => selectorMatcher(label, value)),
    targetLabels,
    services,
    slos: resolveSlos(config.slos ?? defaultSlos, services, issues),
    sloWindow: config.sloWindow ?? '30d',
    thresholds: { ...defaultThresholds, ...config.thresholds },
    baselines: (config.baselines ?? profile.baselineSeconds.map(formatDuration)).map((label) => ({
      label,
      offsetSeconds: parseDuration(label) ?? 0,
    })),
    burnRates: resolveBurnRates(config.alerts?.burnRates ?? defaultBurnRates, profile, issues),
    dashboards: {
      datasourceUid: config.dashboards?.datasourceUid ?? 'prometheus',
      uidPrefix: config.dashboards?.uidPrefix ?? 'eventscope',
      titlePrefix: config.dashboards?.titlePrefix ?? 'eventscope',
      tags: ['eventscope', ...(config.dashboards?.tags ?? [])],
      refresh: config.dashboards?.refresh ?? '30s',
      timeFrom: config.dashboards?.timeFrom ?? 'now-3h',
    },
    alerts: {
      runbookBaseUrl: (config.alerts?.runbookBaseUrl ?? defaultRunbookBaseUrl).replace(/\/+$/, ''),
      alertmanager: resolveAlertmanager(config.alerts?.alertmanager ?? {}, issues),
      ruleLabels: config.alerts?.ruleLabels ?? {},
    },
    prometheus: {
      targets: config.prometheus?.targets ?? ['127.0.0.1:9464'],
      scrapeInterval: config.prometheus?.scrapeInterval ?? '15s',
      job: config.prometheus?.job ?? 'eventscope',
      alertmanager: config.prometheus?.alertmanager ?? '127.0.0.1:9093',
    },
  };
}

function checkServices(services: readonly ServiceConfig[], issues: ConfigIssue[]): void {
  const seen = new Set<string>();
  services.forEach((service, i) => {
    if (seen.has(service.name)) {
      issues.push({ path: `services[${i}].name`, message: `duplicate service "${service.name}"` });
    }
    seen.add(service.name);
  });
}

function resolveSlos(
  slos: readonly NonNullable<EventscopeConfig['slos']>[number][],
  services: readonly ServiceConfig[],
  issues: ConfigIssue[],
): ResolvedSlo[] {
  const serviceNames = new Set(services.map((s) => s.name));
  const names = new Set<string>();
  return slos.map((slo, i) => {
    const path = `slos[${i}]`;
    if (slo.service !== undefined && services.length > 0 && !serviceNames.has(slo.service)) {
      issues.push({
        path: `${path}.service`,
        message: `unknown service "${slo.service}"; declared: ${[...serviceNames].join(', ')}`,
      });
    }
    if (slo.destination !== undefined) {
      const scope = services.filter((s) => slo.service === undefined || s.name === slo.service);
      const known = new Set(scope.flatMap((s) => s.destinations ?? []));
      if (!known.has(slo.destination)) {
        issues.push({
          path: `${path}.destination`,
          message: known.size
            ? `unknown destination "${slo.destination}"; ${slo.service ? `service "${slo.service}"` : 'the services'} declare ${[...known].join(', ')}`
            : `unknown destination "${slo.destination}": declare it in services[].destinations`,
        });
      }
    }
    const name = slo.name ?? [slo.service ?? 'all', slo.destination ?? 'all', slo.kind].join('-');
    if (names.has(name)) issues.push({ path: `${path}.name`, message: `duplicate SLO name "${name}"` });
    names.add(name);
    return {
      name,
      kind: slo.kind,
      objective: slo.objective,
      budget: tidy(1 - slo.objective),
      ...(slo.threshold !== undefined ? { threshold: slo.threshold } : {}),
      ...(slo.service !== undefined ? { service: slo.service } : {}),
      ...(slo.destination !== undefined ? { destination: slo.destination } : {}),
    };
  });
}

function resolveBurnRates(
  windows: readonly { severity: Severity; long: string; short: string; factor: number }[],
  profile: Profile,
  issues: ConfigIssue[],
): ResolvedBurnRate[] {
  const scale = (s: number) => Math.max(1, Math.ceil(s / profile.burnWindowDivisor));
  const out: ResolvedBurnRate[] = [];
  windows.forEach((window, i) => {
    const long = parseDuration(window.long) ?? 0;
    const short = parseDuration(window.short) ?? 0;
    if (short >= long) {
      issues.push({
        path: `alerts.burnRates[${i}].short`,
        message: `${window.short} must be shorter than the long window ${window.long}`,
      });
      return;
    }
    out.push({
      severity: window.severity,
      longSeconds: scale(long),
      shortSeconds: scale(short),
      factor: window.factor,
    });
  });
  for (const severity of severities) {
    if (!windows.some((w) => w.severity === severity)) {
      issues.push({
        path: 'alerts.burnRates',
        message: `needs at least one window pair of severity ${severity}`,
      });
    }
  }
  return out;
}

function resolveAlertmanager(options: AlertmanagerOptions, issues: ConfigIssue[]): AlertmanagerOptions {
  const receiverNames = new Set([
    'default',
    'page',
    'ticket',
    ...(options.receivers ?? []).map((r) => r.name),
  ]);
  (options.routes ?? []).forEach((route, i) => {
    const path = `alerts.alertmanager.routes[${i}]`;
    if (!receiverNames.has(route.receiver)) {
      issues.push({
        path: `${path}.receiver`,
        message: `unknown receiver "${route.receiver}"; known: ${[...receiverNames].join(', ')}`,
      });
    }
    if (route.service === undefined && route.severity === undefined) {
      issues.push({ path, message: 'needs a service or a severity to match on' });
    }
  });
  return options;
}
