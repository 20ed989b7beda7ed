import { namingFlavors, semconvNameChoices, signals } from '@eventscope/catalog';
import { z } from 'zod';
import { profileNames } from './profiles.js';
import { isSelectorValue } from './selectors.js';
import { shortSecondsLimit, type Thresholds, thresholdDescriptions, thresholdUnits } from './thresholds.js';

/**
 * The shape of `eventscope.config.{json,yaml,ts}`, declared once. The TypeScript types, the
 * validation (every error with its path) and the published JSON Schema all come from here.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(\d+[wdhms])+$/;
const HOST_PORT = /^[^\s/:]+(?::[^\s/]+)*:\d+$/;

const tidy = (value: number) => Number(value.toPrecision(12));
const shown = (input: unknown) => JSON.stringify(input);

const labelName = (what: string) =>
  z.string().regex(LABEL_NAME, { error: (iss) => `${shown(iss.input)} is not a valid ${what}` });

const duration = (example: string) =>
  z
    .string({ error: (iss) => `must be a duration such as ${example} (a string), got ${shown(iss.input)}` })
    .regex(DURATION, { error: (iss) => `${shown(iss.input)} is not a duration like ${example}` });

const httpUrl = z
  .string()
  .regex(/^https?:\/\/\S+$/, { error: (iss) => `${shown(iss.input)} is not an http(s) URL` });

const hostPort = z.string().regex(HOST_PORT, {
  error: (iss) => `${shown(iss.input)} is not host:port, e.g. "127.0.0.1:9464"`,
});

function ratioHint(input: unknown): string {
  const value = Number(input);
  return value > 1 && value <= 100
    ? `${value} is outside (0, 1]: this is a ratio, not a percentage (write ${tidy(value / 100)} for ${value} %)`
    : `${shown(input)} is outside (0, 1]: this is a ratio`;
}

function thresholdSchema(key: keyof Thresholds) {
  const number = z.number({ error: (iss) => `must be a finite number, got ${shown(iss.input)}` });
  switch (thresholdUnits[key]) {
    case 'ratio':
      return number
        .gt(0, { error: (iss) => ratioHint(iss.input) })
        .lte(1, { error: (iss) => ratioHint(iss.input) });
    case 'factor':
      return number.gt(1, {
        error: (iss) => `${shown(iss.input)} must be greater than 1 (a factor over the baseline)`,
      });
    case 'perSecond':
      return number.gte(0, { error: (iss) => `${shown(iss.input)} must be zero or positive (per second)` });
    case 'count':
      return number
        .int()
        .gte(1, { error: (iss) => `${shown(iss.input)} must be a whole number of at least 1` });
    case 'seconds': {
      let seconds = number.gt(0, { error: (iss) => `${shown(iss.input)} must be positive (seconds)` });
      const limit = shortSecondsLimit[key];
      if (limit !== undefined) {
        seconds = seconds.lte(limit, {
          error: (iss) =>
            `${shown(iss.input)} seconds is implausible: this threshold is in seconds, not milliseconds (write ${tidy(Number(iss.input) / 1000)} for ${shown(iss.input)} ms)`,
        });
      }
      const top = topBucket[key];
      if (top !== undefined) {
        seconds = seconds.lt(top, {
          error: (iss) =>
            `${shown(iss.input)} s is at or above the histogram's last bucket (${top} s): the alert could never fire`,
        });
      }
      return key === 'memoryPredictionSeconds'
        ? seconds.int({ error: 'must be a whole number of seconds' })
        : seconds;
    }
  }
}

/** A quantile never exceeds the histogram's highest finite bucket, so a threshold there could never fire. */
const topBucket: Partial<Record<keyof Thresholds, number>> = {
  majorGcPauseSeconds: signals.gcDuration.buckets.at(-1),
  eventAgeSeconds: signals.eventAge.buckets.at(-1),
};

const thresholds = z.strictObject(
  Object.fromEntries(
    (Object.keys(thresholdUnits) as (keyof Thresholds)[]).map((key) => [
      key,
      thresholdSchema(key).optional().describe(thresholdDescriptions[key]),
    ]),
  ) as { [K in keyof Thresholds]: z.ZodOptional<z.ZodNumber> },
);

const objective = z
  .number({ error: (iss) => `must be a number, got ${shown(iss.input)}` })
  .gt(0, { error: (iss) => objectiveHint(iss.input) })
  .lt(1, { error: (iss) => objectiveHint(iss.input) });

function objectiveHint(input: unknown): string {
  const value = Number(input);
  return value > 1 && value < 100
    ? `${value} is outside (0, 1): write ${tidy(value / 100)} for ${value} %`
    : `${shown(input)} is outside (0, 1): an objective is the share of good events, e.g. 0.999`;
}

const slo = z
  .strictObject({
    /** Unique name, used as the `slo` label. Default: `<service|all>-<destination|all>-<kind>`. */
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_.:-]+$/, {
        error: (iss) => `${shown(iss.input)} may only hold letters, digits, _ . : -`,
      })
      .optional()
      .describe('Unique name, used as the `slo` label. Default: `<service|all>-<destination|all>-<kind>`.'),
    kind: z.enum(['errors', 'latency', 'freshness']),
    /** Share of events that must be good, strictly between 0 and 1 (0.999 = 99.9 %). */
    objective,
    /** Seconds; latency (processing time) or freshness (event age) at or under which an event is good. One of the signal's bucket bounds. */
    threshold: z
      .number()
      .positive()
      .optional()
      .describe(
        "Seconds; latency (processing time) or freshness (event age) at or under which an event is good. One of the signal's bucket bounds.",
      ),
    /** Service (value of the service label) the objective applies to; default every service. */
    service: z
      .string()
      .min(1)
      .optional()
      .describe('Service (value of the service label) the objective applies to; default every service.'),
    /** Destination the objective applies to (declared in the service's destinations); default every one. */
    destination: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Destination the objective applies to (declared in the service's destinations); default every one.",
      ),
  })
  .superRefine((value, ctx) => {
    if (value.kind === 'errors') {
      if (value.threshold !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['threshold'],
          message: 'an errors objective takes no threshold',
        });
      }
      return;
    }
    const buckets: readonly number[] =
      value.kind === 'latency' ? signals.processDuration.buckets : signals.eventAge.buckets;
    const signal = value.kind === 'latency' ? 'processing time' : 'event age';
    if (value.threshold === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `a ${value.kind} objective needs a threshold in seconds`,
      });
    } else if (!buckets.includes(value.threshold)) {
      const asSeconds = value.threshold / 1000;
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: buckets.includes(asSeconds)
          ? `${value.threshold} is not a ${signal} bucket: the threshold is in seconds, not milliseconds (write ${asSeconds})`
          : `${value.threshold} s is not a ${signal} bucket bound; pick one of ${buckets.join(', ')} (seconds)`,
      });
    }
  });

const service = z.strictObject({
  /** Value of the service label (`job` by default). */
  name: z
    .string()
    .min(1, { error: 'is required' })
    .describe('Value of the service label (`job` by default).'),
  /** Destinations the service consumes; SLOs may only name these. */
  destinations: z
    .array(z.string().min(1))
    .optional()
    .describe('Destinations the service consumes; SLOs may only name these.'),
});

const severity = z.enum(['page', 'ticket']);

const burnRate = z.strictObject({
  severity,
  /** Prometheus durations in the production profile, e.g. `1h` and `5m`. */
  long: duration('1h').describe('Prometheus durations in the production profile, e.g. `1h` and `5m`.'),
  short: duration('5m'),
  factor: z.number().positive({ error: (iss) => `${shown(iss.input)} must be a positive number` }),
});

const receiver = z.strictObject({
  name: z.string().min(1, { error: 'is required' }),
  webhook: z.strictObject({ url: httpUrl }).optional(),
  /** Slack incoming-webhook URL and channel. */
  slack: z
    .strictObject({ apiUrl: httpUrl, channel: z.string().optional() })
    .optional()
    .describe('Slack incoming-webhook URL and channel.'),
  /** PagerDuty Events API v2 integration (routing) key. */
  pagerduty: z
    .strictObject({ routingKey: z.string().min(1, { error: 'is required' }) })
    .optional()
    .describe('PagerDuty Events API v2 integration (routing) key.'),
  email: z
    .strictObject({
      to: z.string().regex(/@/, { error: (iss) => `${shown(iss.input)} is not an email address` }),
      from: z.string().optional(),
      /** host:port of the SMTP server. */
      smarthost: z.string().optional().describe('host:port of the SMTP server.'),
    })
    .optional(),
});

const route = z.strictObject({
  /** Match alerts of this service (value of the service label). */
  service: z.string().optional().describe('Match alerts of this service (value of the service label).'),
  severity: severity.optional(),
  receiver: z.string().min(1),
});

const alertmanager = z.strictObject({
  /** Named receivers; missing `page`, `ticket` and `default` receivers come from the environment. */
  receivers: z
    .array(receiver)
    .optional()
    .describe('Named receivers; missing `page`, `ticket` and `default` receivers come from the environment.'),
  /** Routes tried before the severity routes (page → `page`, ticket → `ticket`), first match wins. */
  routes: z
    .array(route)
    .optional()
    .describe(
      'Routes tried before the severity routes (page → `page`, ticket → `ticket`), first match wins.',
    ),
  groupWait: duration('30s').optional(),
  groupInterval: duration('5m').optional(),
  repeatInterval: duration('4h').optional(),
});

const selectorValue = z
  .string({ error: (iss) => `must be a string, got ${shown(iss.input)}` })
  .refine(isSelectorValue, {
    error: (iss) =>
      `${shown(iss.input)} is neither a plain value (equality) nor an operator with a quoted value, e.g. '=~"prod-.*"'`,
  });

export const configSchema = z.strictObject({
  /** The JSON Schema this file follows (for editors). */
  $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
  /** Metric naming the services expose: prom-client (`prometheus`, default) or the OTel exporter (`otel`). */
  flavor: z
    .enum(namingFlavors)
    .optional()
    .describe(
      'Metric naming the services expose: prom-client (`prometheus`, default) or the OTel exporter (`otel`).',
    ),
  /**
   * Which name of a signal its semantic convention renamed the queries select: `old` (default, what
   * the instrumentation emits by default) or `new` (its successor, emitted when the services run
   * with `OTEL_SEMCONV_STABILITY_OPT_IN=v8js`, or beside the old name with `v8js/dup`).
   */
  semconvNames: z
    .enum(semconvNameChoices)
    .optional()
    .describe(
      'Which name of a signal its semantic convention renamed the queries select: `old` (default, what the instrumentation emits by default) or `new` (its successor, emitted when the services run with OTEL_SEMCONV_STABILITY_OPT_IN=v8js, or beside the old name with v8js/dup). Renamed so far: v8js.memory.heap.limit → v8js.memory.heap.space.size (semconv 1.42).',
    ),
  /** Time scales of the alerts and comparisons: `production` (default) or `test` (seconds, for trying alerts out). */
  profile: z
    .enum(profileNames)
    .optional()
    .describe(
      'Time scales of the alerts and comparisons: `production` (default) or `test` (seconds, for trying alerts out).',
    ),
  /**
   * Label matchers every query, panel and rule carries. A plain value means equality
   * (`namespace: shop` → `namespace="shop"`); a value that starts with an operator and a quoted
   * string is that matcher (`namespace: '=~"prod-.*"'`, `'!="canary"'`).
   */
  selectors: z
    .record(labelName('label name'), selectorValue)
    .optional()
    .describe(
      'Label matchers every query, panel and rule carries. A plain value means equality (namespace: shop); a value written as a matcher is that matcher (namespace: \'=~"prod-.*"\').',
    ),
  /** The label that names a service; a scrape-target label. Default `job`. */
  serviceLabel: labelName('label name')
    .optional()
    .describe('The label that names a service; a scrape-target label. Default `job`.'),
  /** Scrape-target labels other than job and instance that serviceLabel or routes may use (selector labels count already). */
  extraTargetLabels: z
    .array(labelName('label name'))
    .optional()
    .describe(
      'Scrape-target labels other than job and instance that serviceLabel or routes may use (selector labels count already).',
    ),
  /** Services and the destinations they consume; SLOs may only name these. */
  services: z
    .array(service)
    .optional()
    .describe('Services and the destinations they consume; SLOs may only name these.'),
  /** Service level objectives. Default: 99.9 % of events succeed, 99 % within 0.25 s, 99 % younger than 5 s. */
  slos: z
    .array(slo)
    .optional()
    .describe(
      'Service level objectives. Default: 99.9 % of events succeed, 99 % within 0.25 s, 99 % younger than 5 s.',
    ),
  /** The period an error budget is spent over. Default `30d`. */
  sloWindow: duration('30d').optional().describe('The period an error budget is spent over. Default `30d`.'),
  /** Alert thresholds; the dashboards colour panels red at the same values. */
  thresholds: thresholds
    .optional()
    .describe('Alert thresholds; the dashboards colour panels red at the same values.'),
  /** How far back regressions compare: durations such as `1d`, `1w`. Default `1d` and `1w` (test profile `1m`). */
  baselines: z
    .array(duration('1d'))
    .min(1)
    .optional()
    .describe(
      'How far back regressions compare: durations such as `1d`, `1w`. Default `1d` and `1w` (test profile `1m`).',
    ),
  dashboards: z
    .strictObject({
      /** uid of the Prometheus datasource the dashboards select by default. Default `prometheus`. */
      datasourceUid: z
        .string()
        .min(1)
        .optional()
        .describe('uid of the Prometheus datasource the dashboards select by default. Default `prometheus`.'),
      /** Prefix of every dashboard uid. Default `eventscope`. */
      uidPrefix: z
        .string()
        .regex(/^[a-zA-Z0-9_-]{1,24}$/, {
          error: (iss) => `${shown(iss.input)} must be 1-24 characters of letters, digits, '-' or '_'`,
        })
        .optional()
        .describe('Prefix of every dashboard uid. Default `eventscope`.'),
      /** Prefix of every dashboard title. Default `eventscope`. */
      titlePrefix: z.string().optional().describe('Prefix of every dashboard title. Default `eventscope`.'),
      /** Extra dashboard tags (every dashboard carries `eventscope`). */
      tags: z
        .array(z.string())
        .optional()
        .describe('Extra dashboard tags (every dashboard carries `eventscope`).'),
      /** Dashboard auto-refresh. Default `30s`. */
      refresh: duration('30s').optional().describe('Dashboard auto-refresh. Default `30s`.'),
      /** Default time range, relative to now. Default `now-3h`. */
      timeFrom: z
        .string()
        .regex(/^now(-\d+[smhdwMy])?$/, { error: (iss) => `${shown(iss.input)} is not a time like now-3h` })
        .optional()
        .describe('Default time range, relative to now. Default `now-3h`.'),
    })
    .optional(),
  alerts: z
    .strictObject({
      /** Where the runbook pages are published; `runbook_url` is `<base>/<AlertName>.md`. */
      runbookBaseUrl: httpUrl
        .optional()
        .describe('Where the runbook pages are published; `runbook_url` is `<base>/<AlertName>.md`.'),
      /** Burn-rate windows and factors; default the SRE workbook's four. */
      burnRates: z
        .array(burnRate)
        .optional()
        .describe("Burn-rate windows and factors; default the SRE workbook's four."),
      alertmanager: alertmanager.optional(),
      /** Labels a rule file or PrometheusRule carries (e.g. `{ release: 'prometheus' }` for the Operator). */
      ruleLabels: z
        .record(labelName('label name'), z.string())
        .optional()
        .describe(
          "Labels a rule file or PrometheusRule carries (e.g. `{ release: 'prometheus' }` for the Operator).",
        ),
    })
    .optional(),
  prometheus: z
    .strictObject({
      /** host:port of every service serving /metrics. Default the demo's, 127.0.0.1:9464. */
      targets: z
        .array(hostPort)
        .optional()
        .describe("host:port of every service serving /metrics. Default the demo's, 127.0.0.1:9464."),
      /** Default `15s`. */
      scrapeInterval: duration('15s').optional().describe('Default `15s`.'),
      /** Default `eventscope`. */
      job: z
        .string({ error: (iss) => `must be a string, got ${shown(iss.input)}` })
        .min(1)
        .optional()
        .describe('Default `eventscope`.'),
      /** host:port of Alertmanager. Default 127.0.0.1:9093. */
      alertmanager: hostPort.optional().describe('host:port of Alertmanager. Default 127.0.0.1:9093.'),
    })
    .optional(),
});

/** What a user writes in `eventscope.config.*`. */
export type EventscopeConfig = z.input<typeof configSchema>;
export type SloConfig = z.input<typeof slo>;
export type SloKind = SloConfig['kind'];
export type ServiceConfig = z.input<typeof service>;
export type BurnRateWindow = z.input<typeof burnRate>;
export type Severity = z.input<typeof severity>;
export const severities: readonly Severity[] = severity.options;
export type ReceiverConfig = z.input<typeof receiver>;
export type RouteConfig = z.input<typeof route>;
export type AlertmanagerOptions = z.input<typeof alertmanager>;
export type ScrapeSettings = NonNullable<EventscopeConfig['prometheus']>;
export type DashboardSettings = NonNullable<EventscopeConfig['dashboards']>;
export type AlertSettings = NonNullable<EventscopeConfig['alerts']>;
