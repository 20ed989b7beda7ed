import { type NamingFlavor, namingFlavors, signals, targetLabels } from '@eventscope/catalog';
import {
  type AlertmanagerOptions,
  type AlertsConfig,
  type BurnRateWindow,
  defaultBurnRates,
  defaultRunbookBaseUrl,
  defaultSlos,
  defaultThresholds,
  type ServiceConfig,
  type Severity,
  type SloKind,
  severities,
  type Thresholds,
} from './config.js';
import { type Profile, parseDuration, profiles } from './profile.js';

/** One thing wrong with a configuration, naming the field (`slos[1].objective`). */
export interface ConfigIssue {
  field: string;
  message: string;
}

export class AlertsConfigError extends Error {
  override name = 'AlertsConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid alerts configuration:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n')}`);
  }
}

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

/** A configuration with every default filled in and every field checked. */
export interface ResolvedConfig {
  flavor: NamingFlavor;
  profile: Profile;
  serviceLabel: string;
  /** Label matchers, rendered (`job="billing"`), added to every selector. */
  matchers: string[];
  runbookBaseUrl: string;
  services: ServiceConfig[];
  slos: ResolvedSlo[];
  thresholds: Thresholds;
  burnRates: ResolvedBurnRate[];
  alertmanager: AlertmanagerOptions;
  ruleLabels: Record<string, string>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RAW_MATCHER = /^(=~|!=|!~|=)"((?:[^"\\]|\\.)*)"$/;

/** A PromQL string literal. */
export const quote = (value: string) => JSON.stringify(value);

/** Round away binary noise so a computed number prints as a person would write it. */
export const tidy = (value: number) => Number(value.toPrecision(12));

type ThresholdUnit = 'seconds' | 'ratio' | 'factor' | 'perSecond' | 'count';
const thresholdUnits: Record<keyof Thresholds, ThresholdUnit> = {
  trafficFloorPerSecond: 'perSecond',
  latencyRegressionFactor: 'factor',
  throughputDropRatio: 'ratio',
  heapFloorGrowthFactor: 'factor',
  gcShareGrowthFactor: 'factor',
  gcTimeShareRatio: 'ratio',
  gcShareFloorRatio: 'ratio',
  majorGcPauseSeconds: 'seconds',
  heapLimitRatio: 'ratio',
  memoryPredictionSeconds: 'seconds',
  eventLoopDelaySeconds: 'seconds',
  eventLoopUtilizationRatio: 'ratio',
  restartsPerWindow: 'count',
  eventAgeSeconds: 'seconds',
  errorRatio: 'ratio',
  propagationErrorRatio: 'ratio',
};

/** Pause and delay thresholds over this many seconds are almost surely milliseconds. */
const SHORT_SECONDS_LIMIT: Partial<Record<keyof Thresholds, number>> = {
  majorGcPauseSeconds: 10,
  eventLoopDelaySeconds: 10,
};

function checkThresholds(input: Partial<Thresholds> | undefined, issues: ConfigIssue[]): Thresholds {
  const out: Thresholds = { ...defaultThresholds };
  for (const [key, value] of Object.entries(input ?? {})) {
    const field = `thresholds.${key}`;
    const unit = thresholdUnits[key as keyof Thresholds];
    if (!unit) {
      issues.push({
        field,
        message: `unknown threshold; known: ${Object.keys(thresholdUnits).join(', ')}`,
      });
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      issues.push({ field, message: `must be a finite number, got ${JSON.stringify(value)}` });
      continue;
    }
    if (unit === 'ratio' && !(value > 0 && value <= 1)) {
      issues.push({
        field,
        message:
          value > 1 && value <= 100
            ? `${value} is outside (0, 1]: this is a ratio, not a percentage (write ${tidy(value / 100)} for ${value} %)`
            : `${value} is outside (0, 1]: this is a ratio`,
      });
      continue;
    }
    if (unit === 'factor' && !(value > 1)) {
      issues.push({ field, message: `${value} must be greater than 1 (a factor over the baseline)` });
      continue;
    }
    if ((unit === 'seconds' || unit === 'perSecond') && !(value > 0)) {
      if (!(unit === 'perSecond' && value === 0)) {
        issues.push({
          field,
          message: `${value} must be positive (${unit === 'seconds' ? 'seconds' : 'per second'})`,
        });
        continue;
      }
    }
    const limit = SHORT_SECONDS_LIMIT[key as keyof Thresholds];
    if (limit !== undefined && value > limit) {
      issues.push({
        field,
        message: `${value} seconds is implausible: this threshold is in seconds, not milliseconds (write ${tidy(value / 1000)} for ${value} ms)`,
      });
      continue;
    }
    if (unit === 'count' && !(Number.isInteger(value) && value >= 1)) {
      issues.push({ field, message: `${value} must be a whole number of at least 1` });
      continue;
    }
    if (key === 'memoryPredictionSeconds' && !Number.isInteger(value)) {
      issues.push({ field, message: `${value} must be a whole number of seconds` });
      continue;
    }
    out[key as keyof Thresholds] = value;
  }
  return out;
}

function renderMatcher(label: string, value: string): string | undefined {
  const raw = RAW_MATCHER.exec(value);
  if (raw) return `${label}${raw[1]}"${raw[2]}"`;
  if (/^(=~|!=|!~|=)/.test(value)) return undefined;
  return `${label}=${quote(value)}`;
}

function sloThresholdBuckets(kind: SloKind): readonly number[] {
  return kind === 'latency' ? signals.processDuration.buckets : signals.eventAge.buckets;
}

function checkBurnRates(
  input: readonly BurnRateWindow[] | undefined,
  profile: Profile,
  issues: ConfigIssue[],
): ResolvedBurnRate[] {
  const out: ResolvedBurnRate[] = [];
  (input ?? defaultBurnRates).forEach((window, i) => {
    const field = `burnRates[${i}]`;
    const long = parseDuration(window.long);
    const short = parseDuration(window.short);
    if (!severities.includes(window.severity)) {
      issues.push({ field: `${field}.severity`, message: `must be one of ${severities.join(', ')}` });
    }
    if (long === undefined)
      issues.push({ field: `${field}.long`, message: `"${window.long}" is not a duration like 1h` });
    if (short === undefined) {
      issues.push({ field: `${field}.short`, message: `"${window.short}" is not a duration like 5m` });
    }
    if (!(typeof window.factor === 'number' && window.factor > 0 && Number.isFinite(window.factor))) {
      issues.push({ field: `${field}.factor`, message: `${window.factor} must be a positive number` });
    }
    if (long === undefined || short === undefined) return;
    if (short >= long) {
      issues.push({
        field: `${field}.short`,
        message: `${window.short} must be shorter than the long window ${window.long}`,
      });
      return;
    }
    const scale = (s: number) => Math.max(1, Math.ceil(s / profile.burnWindowDivisor));
    out.push({
      severity: window.severity,
      longSeconds: scale(long),
      shortSeconds: scale(short),
      factor: window.factor,
    });
  });
  for (const severity of severities) {
    if (!out.some((w) => w.severity === severity)) {
      issues.push({ field: 'burnRates', message: `needs at least one window pair of severity ${severity}` });
    }
  }
  return out;
}

/**
 * Check a configuration and fill in its defaults. Throws an AlertsConfigError listing every
 * problem, each naming its field.
 */
export function validateConfig(config: AlertsConfig = {}): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  const flavor = config.flavor ?? 'prometheus';
  if (!namingFlavors.includes(flavor)) {
    issues.push({ field: 'flavor', message: `"${flavor}" is not one of ${namingFlavors.join(', ')}` });
  }
  const profileName = config.profile ?? 'production';
  const profile = profiles[profileName];
  if (!profile) {
    issues.push({
      field: 'profile',
      message: `"${profileName}" is not one of ${Object.keys(profiles).join(', ')}`,
    });
  }

  const extra = config.extraTargetLabels ?? [];
  extra.forEach((label, i) => {
    if (!LABEL_NAME.test(label)) {
      issues.push({ field: `extraTargetLabels[${i}]`, message: `"${label}" is not a valid label name` });
    }
  });
  const selectable = new Set<string>([...targetLabels, ...extra]);
  const unknownLabel = (label: string) =>
    `unknown label "${label}": selectors apply to every series, so they may only use scrape-target labels (${[...selectable].join(', ')}); declare others in extraTargetLabels`;

  const serviceLabel = config.serviceLabel ?? 'job';
  if (!selectable.has(serviceLabel))
    issues.push({ field: 'serviceLabel', message: unknownLabel(serviceLabel) });

  const matchers: string[] = [];
  for (const [label, value] of Object.entries(config.selectors ?? {})) {
    const field = `selectors.${label}`;
    if (!selectable.has(label)) {
      issues.push({ field, message: unknownLabel(label) });
      continue;
    }
    const matcher = typeof value === 'string' ? renderMatcher(label, value) : undefined;
    if (!matcher) {
      issues.push({
        field,
        message: `${JSON.stringify(value)} is neither a plain value nor an operator with a quoted value (=~"prod-.*")`,
      });
      continue;
    }
    matchers.push(matcher);
  }

  const runbookBaseUrl = (config.runbookBaseUrl ?? defaultRunbookBaseUrl).replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(runbookBaseUrl)) {
    issues.push({ field: 'runbookBaseUrl', message: `"${runbookBaseUrl}" is not an http(s) URL` });
  }

  const services = config.services ?? [];
  const serviceNames = new Set<string>();
  services.forEach((service, i) => {
    if (!service.name) issues.push({ field: `services[${i}].name`, message: 'is required' });
    else if (serviceNames.has(service.name)) {
      issues.push({ field: `services[${i}].name`, message: `duplicate service "${service.name}"` });
    }
    serviceNames.add(service.name);
  });

  const slos: ResolvedSlo[] = [];
  const sloNames = new Set<string>();
  (config.slos ?? defaultSlos).forEach((slo, i) => {
    const field = `slos[${i}]`;
    const before = issues.length;
    if (!['errors', 'latency', 'freshness'].includes(slo.kind)) {
      issues.push({
        field: `${field}.kind`,
        message: `"${slo.kind}" is not one of errors, latency, freshness`,
      });
    }
    if (!(typeof slo.objective === 'number' && slo.objective > 0 && slo.objective < 1)) {
      issues.push({
        field: `${field}.objective`,
        message:
          typeof slo.objective === 'number' && slo.objective > 1 && slo.objective < 100
            ? `${slo.objective} is outside (0, 1): write ${tidy(slo.objective / 100)} for ${slo.objective} %`
            : `${slo.objective} is outside (0, 1): an objective is the share of good events, e.g. 0.999`,
      });
    }
    if (slo.kind === 'latency' || slo.kind === 'freshness') {
      const buckets = sloThresholdBuckets(slo.kind);
      const signal = slo.kind === 'latency' ? 'processing time' : 'event age';
      if (slo.threshold === undefined) {
        issues.push({
          field: `${field}.threshold`,
          message: `a ${slo.kind} objective needs a threshold in seconds`,
        });
      } else if (!buckets.includes(slo.threshold)) {
        const asMs = slo.threshold / 1000;
        issues.push({
          field: `${field}.threshold`,
          message: buckets.includes(asMs)
            ? `${slo.threshold} is not a ${signal} bucket: the threshold is in seconds, not milliseconds (write ${asMs})`
            : `${slo.threshold} s is not a ${signal} bucket bound; pick one of ${buckets.join(', ')} (seconds)`,
        });
      }
    } else if (slo.threshold !== undefined) {
      issues.push({ field: `${field}.threshold`, message: 'an errors objective takes no threshold' });
    }
    if (slo.service !== undefined && services.length > 0 && !serviceNames.has(slo.service)) {
      issues.push({
        field: `${field}.service`,
        message: `unknown service "${slo.service}"; declared: ${[...serviceNames].join(', ')}`,
      });
    }
    if (slo.destination !== undefined) {
      const scope = services.filter((s) => slo.service === undefined || s.name === slo.service);
      const known = new Set(scope.flatMap((s) => s.destinations ?? []));
      if (!known.has(slo.destination)) {
        issues.push({
          field: `${field}.destination`,
          message: known.size
            ? `unknown destination "${slo.destination}"; ${slo.service ? `service "${slo.service}"` : 'the services'} declare ${[...known].join(', ')}`
            : `unknown destination "${slo.destination}": declare it in services[].destinations`,
        });
      }
    }
    const name = slo.name ?? [slo.service ?? 'all', slo.destination ?? 'all', slo.kind].join('-');
    if (!/^[a-zA-Z0-9_.:-]+$/.test(name)) {
      issues.push({ field: `${field}.name`, message: `"${name}" may only hold letters, digits, _ . : -` });
    } else if (sloNames.has(name)) {
      issues.push({ field: `${field}.name`, message: `duplicate SLO name "${name}"` });
    }
    sloNames.add(name);
    if (issues.length > before) return;
    slos.push({
      name,
      kind: slo.kind,
      objective: slo.objective,
      budget: tidy(1 - slo.objective),
      ...(slo.threshold !== undefined ? { threshold: slo.threshold } : {}),
      ...(slo.service !== undefined ? { service: slo.service } : {}),
      ...(slo.destination !== undefined ? { destination: slo.destination } : {}),
    });
  });

  const thresholds = checkThresholds(config.thresholds, issues);
  // A quantile never exceeds the histogram's highest finite bucket, so such a threshold could never fire.
  for (const [key, buckets] of [
    ['majorGcPauseSeconds', signals.gcDuration.buckets],
    ['eventAgeSeconds', signals.eventAge.buckets],
  ] as const) {
    const top = buckets[buckets.length - 1]!;
    if (
      thresholds[key] >= top &&
      config.thresholds?.[key] !== undefined &&
      !issues.some((i) => i.field === `thresholds.${key}`)
    ) {
      issues.push({
        field: `thresholds.${key}`,
        message: `${thresholds[key]} s is at or above the histogram's last bucket (${top} s): the alert could never fire`,
      });
    }
  }
  const burnRates = profile ? checkBurnRates(config.burnRates, profile, issues) : [];

  const alertmanager = config.alertmanager ?? {};
  const receiverNames = new Set(['default', 'page', 'ticket']);
  (alertmanager.receivers ?? []).forEach((receiver, i) => {
    const field = `alertmanager.receivers[${i}]`;
    if (!receiver.name) issues.push({ field: `${field}.name`, message: 'is required' });
    receiverNames.add(receiver.name);
    if (receiver.webhook && !/^https?:\/\//.test(receiver.webhook.url ?? '')) {
      issues.push({
        field: `${field}.webhook.url`,
        message: `"${receiver.webhook.url}" is not an http(s) URL`,
      });
    }
    if (receiver.slack && !/^https?:\/\//.test(receiver.slack.apiUrl ?? '')) {
      issues.push({
        field: `${field}.slack.apiUrl`,
        message: `"${receiver.slack.apiUrl}" is not an http(s) URL`,
      });
    }
    if (receiver.pagerduty && !receiver.pagerduty.routingKey) {
      issues.push({ field: `${field}.pagerduty.routingKey`, message: 'is required' });
    }
    if (receiver.email && !/@/.test(receiver.email.to ?? '')) {
      issues.push({ field: `${field}.email.to`, message: `"${receiver.email.to}" is not an email address` });
    }
  });
  (alertmanager.routes ?? []).forEach((route, i) => {
    const field = `alertmanager.routes[${i}]`;
    if (!receiverNames.has(route.receiver)) {
      issues.push({
        field: `${field}.receiver`,
        message: `unknown receiver "${route.receiver}"; known: ${[...receiverNames].join(', ')}`,
      });
    }
    if (route.severity !== undefined && !severities.includes(route.severity)) {
      issues.push({ field: `${field}.severity`, message: `must be one of ${severities.join(', ')}` });
    }
    if (route.service === undefined && route.severity === undefined) {
      issues.push({ field, message: 'needs a service or a severity to match on' });
    }
  });
  for (const key of ['groupWait', 'groupInterval', 'repeatInterval'] as const) {
    const value = alertmanager[key];
    if (value !== undefined && parseDuration(value) === undefined) {
      issues.push({ field: `alertmanager.${key}`, message: `"${value}" is not a duration like 30s` });
    }
  }
  for (const [label, value] of Object.entries(config.ruleLabels ?? {})) {
    if (!LABEL_NAME.test(label) || typeof value !== 'string') {
      issues.push({
        field: `ruleLabels.${label}`,
        message: 'must be a valid label name with a string value',
      });
    }
  }

  if (issues.length > 0 || !profile) throw new AlertsConfigError(issues);
  return {
    flavor,
    profile,
    serviceLabel,
    matchers,
    runbookBaseUrl,
    services,
    slos,
    thresholds,
    burnRates,
    alertmanager,
    ruleLabels: config.ruleLabels ?? {},
  };
}
