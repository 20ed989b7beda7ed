import { type ReceiverConfig, type RouteConfig, type Severity, selectorEquality } from '@eventscope/config';
import { label } from '@eventscope/config/promql';
import type { AlertContext } from './alert.js';
import { metricsAbsent, targetDown } from './alerts/pipeline.js';

/**
 * alertmanager.yml: routes by severity and service, grouping by alert and service (one
 * notification however many destinations fail alike), inhibitions (a down target or absent
 * metrics hold back the service's other eventscope alerts; a page holds back the ticket of the
 * same SLO), and receivers for webhook, Slack, PagerDuty and email from options or environment.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

const DESCRIPTIONS =
  '{{ range .Alerts }}{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}';

function receiverYaml(receiver: ReceiverConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { name: receiver.name };
  if (receiver.webhook) out.webhook_configs = [{ url: receiver.webhook.url, send_resolved: true }];
  if (receiver.slack) {
    out.slack_configs = [
      {
        api_url: receiver.slack.apiUrl,
        ...(receiver.slack.channel ? { channel: receiver.slack.channel } : {}),
        send_resolved: true,
        title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
        text: DESCRIPTIONS,
      },
    ];
  }
  if (receiver.pagerduty) {
    out.pagerduty_configs = [
      {
        routing_key: receiver.pagerduty.routingKey,
        send_resolved: true,
        description: '{{ .CommonAnnotations.summary }}',
      },
    ];
  }
  if (receiver.email) {
    out.email_configs = [
      {
        to: receiver.email.to,
        from: receiver.email.from ?? 'eventscope@localhost',
        smarthost: receiver.email.smarthost ?? 'localhost:25',
        send_resolved: true,
      },
    ];
  }
  return out;
}

/** The page, ticket and default receivers the environment describes. */
function receiversFromEnvironment(env: Environment): ReceiverConfig[] {
  const webhook = env.EVENTSCOPE_WEBHOOK_URL ? { url: env.EVENTSCOPE_WEBHOOK_URL } : undefined;
  const slack = env.EVENTSCOPE_SLACK_WEBHOOK_URL
    ? {
        apiUrl: env.EVENTSCOPE_SLACK_WEBHOOK_URL,
        ...(env.EVENTSCOPE_SLACK_CHANNEL ? { channel: env.EVENTSCOPE_SLACK_CHANNEL } : {}),
      }
    : undefined;
  const pagerduty = env.EVENTSCOPE_PAGERDUTY_ROUTING_KEY
    ? { routingKey: env.EVENTSCOPE_PAGERDUTY_ROUTING_KEY }
    : undefined;
  const email = env.EVENTSCOPE_EMAIL_TO
    ? {
        to: env.EVENTSCOPE_EMAIL_TO,
        ...(env.EVENTSCOPE_EMAIL_FROM ? { from: env.EVENTSCOPE_EMAIL_FROM } : {}),
        ...(env.EVENTSCOPE_SMTP_SMARTHOST ? { smarthost: env.EVENTSCOPE_SMTP_SMARTHOST } : {}),
      }
    : undefined;
  const receiver = (name: string, parts: Omit<ReceiverConfig, 'name'>): ReceiverConfig => {
    const out: ReceiverConfig = { name };
    for (const [key, value] of Object.entries(parts)) if (value) Object.assign(out, { [key]: value });
    return out;
  };
  return [
    receiver('page', { pagerduty, slack, webhook }),
    receiver('ticket', { slack, email, webhook }),
    receiver('default', { slack, webhook }),
  ];
}

/** The routes in the order Alertmanager tries them: the user's, then one per severity. */
function routeList(ctx: AlertContext): RouteConfig[] {
  return [
    ...(ctx.config.alerts.alertmanager.routes ?? []),
    { severity: 'page', receiver: 'page' },
    { severity: 'ticket', receiver: 'ticket' },
  ];
}

const matchersOf = (ctx: AlertContext, route: RouteConfig) => [
  ...(route.service !== undefined ? [`${ctx.q.service}=${JSON.stringify(route.service)}`] : []),
  ...(route.severity !== undefined ? [`severity=${JSON.stringify(route.severity)}`] : []),
];

/** Every alert eventscope generates, and no one else's: inhibitions never reach the user's own alerts. */
export const EVENTSCOPE_ALERTS = 'alertname=~"Eventscope.+"';

/** Labels that tell deployments apart: the same service in two clusters is two services. */
const DEPLOYMENT_LABELS = ['namespace', 'cluster'];

/**
 * What one service is, to Alertmanager: the service label, and namespace and cluster when the
 * config's selectors or extra target labels name them. The rules aggregate those labels away, so
 * alerts carry them only from Prometheus' external labels, all alike; an equality selector pins
 * one value for the whole rule set, and only absent() would carry it (an inhibition comparing it
 * would never match the alerts that lack it), so a pinned label is left out.
 */
export function serviceIdentity(ctx: AlertContext): string[] {
  const selectors = ctx.config.selectors;
  const deployment = DEPLOYMENT_LABELS.filter(
    (name) =>
      ctx.config.targetLabels.includes(name) &&
      (selectors[name] === undefined || selectorEquality(selectors[name]) === undefined),
  );
  return [...new Set([ctx.q.service, ...deployment])];
}

export function alertmanagerConfig(ctx: AlertContext, env: Environment): Record<string, unknown> {
  const am = ctx.config.alerts.alertmanager;
  const fast = ctx.profile.name === 'test';
  const configured = am.receivers ?? [];
  const receivers = [
    ...receiversFromEnvironment(env).filter((r) => !configured.some((c) => c.name === r.name)),
    ...configured,
  ];
  return {
    route: {
      receiver: 'default',
      // Not by destination: a failure on fifty destinations is one notification listing fifty alerts.
      group_by: ['alertname', ...serviceIdentity(ctx)],
      group_wait: am.groupWait ?? (fast ? '1s' : '30s'),
      group_interval: am.groupInterval ?? (fast ? '5s' : '5m'),
      repeat_interval: am.repeatInterval ?? (fast ? '1m' : '4h'),
      routes: routeList(ctx).map((route) => ({ matchers: matchersOf(ctx, route), receiver: route.receiver })),
    },
    inhibit_rules: [
      // Most alerts aggregate the instance away, so a down target or absent metrics hold back
      // the service's alerts, not only the instance's.
      {
        source_matchers: [`alertname="${targetDown.name}"`],
        target_matchers: [EVENTSCOPE_ALERTS, `alertname!="${targetDown.name}"`],
        equal: serviceIdentity(ctx),
      },
      // A ticket never holds back a page.
      {
        source_matchers: [`alertname="${metricsAbsent.name}"`],
        target_matchers: [EVENTSCOPE_ALERTS, `alertname!="${metricsAbsent.name}"`, 'severity="ticket"'],
        equal: serviceIdentity(ctx),
      },
      {
        source_matchers: ['severity="page"', 'slo=~".+"'],
        target_matchers: ['severity="ticket"'],
        equal: ['alertname', 'slo', ctx.q.service, label.destination],
      },
    ],
    receivers: receivers.map(receiverYaml),
  };
}

export interface RouteCase {
  labels: Record<string, string>;
  receiver: string;
}

/**
 * `amtool config routes test` cases: each severity of each declared service (and of any other
 * service) must reach the receiver its route names; an alert with no severity the default one.
 */
export function routeCases(ctx: AlertContext): RouteCase[] {
  const routes = routeList(ctx);
  const services = [
    ...new Set([
      ...ctx.config.services.map((s) => s.name),
      ...routes.flatMap((r) => r.service ?? []),
      'any-service',
    ]),
  ];
  const cases: RouteCase[] = [];
  for (const service of services) {
    for (const severity of ['page', 'ticket'] as Severity[]) {
      const route = routes.find(
        (r) =>
          (r.service === undefined || r.service === service) &&
          (r.severity === undefined || r.severity === severity),
      );
      cases.push({
        labels: { alertname: 'EventscopeRouteCheck', [ctx.q.service]: service, severity },
        receiver: route?.receiver ?? 'default',
      });
    }
  }
  cases.push({
    labels: { alertname: 'EventscopeRouteCheck', [ctx.q.service]: 'any-service' },
    receiver: 'default',
  });
  return cases;
}
