import type { NamingFlavor } from '@eventscope/catalog';

/**
 * The user's alerting configuration: one object drives the recording rules, the alerts, the
 * Alertmanager routing, the runbook links and the generated promtool tests.
 */

export type Severity = 'page' | 'ticket';
export const severities: readonly Severity[] = ['page', 'ticket'];

/** `production` is what users get by default; `test` shrinks every window so alerts fire within seconds. */
export type ProfileName = 'production' | 'test';

export type SloKind = 'errors' | 'latency' | 'freshness';

export interface SloConfig {
  /** Unique name, used as the `slo` label. Default: `<service|all>-<destination|all>-<kind>`. */
  name?: string;
  kind: SloKind;
  /** Share of events that must be good, strictly between 0 and 1 (0.999 = 99.9 %). */
  objective: number;
  /**
   * Seconds: latency (processing time) or freshness (event age) at or under which an event is
   * good. Must be one of the signal's histogram bucket bounds, since the SLI reads `le="T"`.
   */
  threshold?: number;
  /** Service (value of the service label) the objective applies to; default: every service. */
  service?: string;
  /** Destination the objective applies to (declared in the service's destinations); default: every one. */
  destination?: string;
}

export interface ServiceConfig {
  /** Value of the service label (`job` by default). */
  name: string;
  /** Destinations the service consumes; SLOs may only name these. */
  destinations?: string[];
}

/** Alert thresholds. Names carry their unit: `Seconds`, `Ratio` (0 to 1), `PerSecond`, `Factor`. */
export interface Thresholds {
  /** Events per second a destination must handle (now and at the baseline) before regression and ratio alerts may fire. */
  trafficFloorPerSecond: number;
  /** p99 processing time now divided by the baseline's p99. */
  latencyRegressionFactor: number;
  /** Throughput now divided by the baseline's throughput, below which throughput has dropped. */
  throughputDropRatio: number;
  /** Heap floor (lowest heap used over the window) now divided by the baseline's floor. */
  heapFloorGrowthFactor: number;
  /** Share of wall time in GC now divided by the baseline's share. */
  gcShareGrowthFactor: number;
  /** Share of wall time in GC pauses, 0 to 1. */
  gcTimeShareRatio: number;
  /** Lowest GC time share at which a growth against the baseline is worth an alert. */
  gcShareFloorRatio: number;
  /** p99 of major GC pauses. */
  majorGcPauseSeconds: number;
  /** Heap used divided by V8's heap size limit. */
  heapLimitRatio: number;
  /** How far ahead the heap growth is extrapolated, in seconds. */
  memoryPredictionSeconds: number;
  /** Event-loop delay p99. */
  eventLoopDelaySeconds: number;
  /** Event-loop utilization, 0 to 1. */
  eventLoopUtilizationRatio: number;
  /** Process restarts within the restart window. */
  restartsPerWindow: number;
  /** Median event age (backlog) above which a growing age alerts. */
  eventAgeSeconds: number;
  /** Failed events divided by all events. */
  errorRatio: number;
  /** Events with unreadable trace or timing headers divided by all events. */
  propagationErrorRatio: number;
}

/** Multi-window, multi-burn-rate alerting (SRE workbook): a pair of windows and the burn factor both must exceed. */
export interface BurnRateWindow {
  severity: Severity;
  /** Prometheus durations in the production profile, e.g. `1h` and `5m`. */
  long: string;
  short: string;
  factor: number;
}

export interface WebhookReceiverConfig {
  url: string;
}
export interface SlackReceiverConfig {
  /** Incoming-webhook URL. */
  apiUrl: string;
  channel?: string;
}
export interface PagerDutyReceiverConfig {
  /** Events API v2 integration (routing) key. */
  routingKey: string;
}
export interface EmailReceiverConfig {
  to: string;
  from?: string;
  /** host:port of the SMTP server. */
  smarthost?: string;
}

export interface ReceiverConfig {
  name: string;
  webhook?: WebhookReceiverConfig;
  slack?: SlackReceiverConfig;
  pagerduty?: PagerDutyReceiverConfig;
  email?: EmailReceiverConfig;
}

export interface RouteConfig {
  /** Match alerts of this service (value of the service label). */
  service?: string;
  severity?: Severity;
  receiver: string;
}

export interface AlertmanagerOptions {
  /**
   * Named receivers. Missing `page`, `ticket` and `default` receivers are created from the
   * environment (EVENTSCOPE_PAGERDUTY_ROUTING_KEY, EVENTSCOPE_SLACK_WEBHOOK_URL, EVENTSCOPE_SLACK_CHANNEL,
   * EVENTSCOPE_WEBHOOK_URL, EVENTSCOPE_EMAIL_TO, EVENTSCOPE_EMAIL_FROM, EVENTSCOPE_SMTP_SMARTHOST).
   */
  receivers?: ReceiverConfig[];
  /** Routes tried before the severity routes (page → `page`, ticket → `ticket`), first match wins. */
  routes?: RouteConfig[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export interface AlertsConfig {
  /** Which Prometheus names the metrics carry: prom-client (`prometheus`, default) or the OTel exporter (`otel`). */
  flavor?: NamingFlavor;
  profile?: ProfileName;
  /** The label that names a service; a scrape-target label. Default `job`. */
  serviceLabel?: string;
  /** Label matchers added to every selector, e.g. `{ job: 'billing' }` or `{ namespace: '=~"prod-.*"' }`. */
  selectors?: Record<string, string>;
  /** Where the runbook pages are published; `runbook_url` is `<base>/<AlertName>.md`. */
  runbookBaseUrl?: string;
  services?: ServiceConfig[];
  /** Service level objectives. Default: 99.9 % of events succeed, 99 % within 0.25 s, 99 % younger than 5 s, per service and destination. */
  slos?: SloConfig[];
  thresholds?: Partial<Thresholds>;
  /** Burn-rate windows and factors; default the SRE workbook's four. */
  burnRates?: BurnRateWindow[];
  alertmanager?: AlertmanagerOptions;
  /** Labels a rule file or PrometheusRule resource carries (e.g. `{ release: 'prometheus' }` for the Operator). */
  ruleLabels?: Record<string, string>;
  /** Extra labels for scrape targets the configuration may select on (e.g. `namespace`, `pod`). */
  extraTargetLabels?: string[];
}

export const defaultRunbookBaseUrl =
  'https://github.com/eventscope/eventscope/blob/main/packages/alerts/runbooks';

export const defaultThresholds: Thresholds = {
  trafficFloorPerSecond: 0.1,
  latencyRegressionFactor: 1.5,
  throughputDropRatio: 0.5,
  heapFloorGrowthFactor: 1.5,
  gcShareGrowthFactor: 2,
  gcTimeShareRatio: 0.1,
  gcShareFloorRatio: 0.02,
  majorGcPauseSeconds: 0.1,
  heapLimitRatio: 0.9,
  memoryPredictionSeconds: 4 * 3600,
  eventLoopDelaySeconds: 0.1,
  eventLoopUtilizationRatio: 0.9,
  restartsPerWindow: 3,
  eventAgeSeconds: 60,
  errorRatio: 0.05,
  propagationErrorRatio: 0.01,
};

/** SRE workbook, chapter 5: 2 % of a 30-day budget in 1 h, 5 % in 6 h page; 10 % in 1 d, 10 % in 3 d ticket. */
export const defaultBurnRates: readonly BurnRateWindow[] = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'page', long: '6h', short: '30m', factor: 6 },
  { severity: 'ticket', long: '1d', short: '2h', factor: 3 },
  { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
];

export const defaultSlos: readonly SloConfig[] = [
  { kind: 'errors', objective: 0.999 },
  { kind: 'latency', objective: 0.99, threshold: 0.25 },
  { kind: 'freshness', objective: 0.99, threshold: 5 },
];
