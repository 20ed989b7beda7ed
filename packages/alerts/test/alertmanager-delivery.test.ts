import {
  alertmanagerBinary,
  type RunningAlertmanager,
  startAlertmanager,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlerts } from '../src/index.js';

/**
 * The generated alertmanager.yml in a real Alertmanager: alerts posted as Prometheus posts them
 * (API v2), notifications received at a webhook. A failure on many destinations of one service
 * is one notification; a down target or absent metrics hold back the other eventscope alerts of
 * their service, and nothing else.
 */

const available = Boolean(alertmanagerBinary());
const DESTINATIONS = 50;

type Labels = Record<string, string>;

const destination = (job: string, name: string) => ({
  job,
  messaging_system: 'nats',
  messaging_destination_name: name,
});

describe.skipIf(!available)('generated Alertmanager configuration, delivering (real Alertmanager)', () => {
  let alertmanager: RunningAlertmanager;
  let webhook: WebhookReceiver;

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    const receiver = (name: string) => ({ name, webhook: { url: webhook.url } });
    // The test profile: group_wait 1s, group_interval 5s.
    const files = generateAlerts({
      profile: 'test',
      alerts: { alertmanager: { receivers: [receiver('page'), receiver('ticket'), receiver('default')] } },
    });
    alertmanager = await startAlertmanager(files['alertmanager.yml']!);
  });

  afterAll(async () => {
    await alertmanager?.stop();
    await webhook?.close();
  });

  /** POST /api/v2/alerts, as Prometheus sends firing alerts. */
  async function post(alerts: Labels[]): Promise<void> {
    const now = Date.now();
    const body = alerts.map((labels) => ({
      labels,
      annotations: { summary: `${labels.alertname} of ${labels.job}` },
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 10 * 60_000).toISOString(),
      generatorURL: 'http://prometheus.example/graph',
    }));
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.text()).toBe(200);
  }

  const delivered = (match: (labels: Labels) => boolean) =>
    webhook.notifications.flatMap((n) => n.alerts).filter((a) => match(a.labels));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const is = (want: Labels) => (labels: Labels) =>
    Object.entries(want).every(([name, value]) => labels[name] === value);

  it(`a failure on ${DESTINATIONS} destinations of one service is one notification with ${DESTINATIONS} alerts`, async () => {
    const failing = Array.from({ length: DESTINATIONS }, (_, i) => ({
      alertname: 'EventscopeHighErrorRatio',
      severity: 'ticket',
      ...destination('billing', `orders.${String(i).padStart(2, '0')}`),
    }));
    await post(failing);
    const mine = is({ alertname: 'EventscopeHighErrorRatio', job: 'billing' });
    await webhook.waitForAlert((a) => mine(a.labels), 30_000);
    // Past group_wait (1 s) and group_interval (5 s): every group has flushed by now.
    await sleep(7_000);
    const notifications = webhook.notifications.filter((n) => n.alerts.some((a) => mine(a.labels)));
    expect(
      notifications.map((n) => n.alerts.length),
      'one notification, holding every destination',
    ).toEqual([DESTINATIONS]);
    expect(new Set(notifications[0]!.alerts.map((a) => a.labels.messaging_destination_name)).size).toBe(
      DESTINATIONS,
    );
    expect(notifications[0]!.receiver).toBe('ticket');
  });

  it("a down target or absent metrics hold back their service's other eventscope alerts, and only those", async () => {
    const down = {
      alertname: 'EventscopeTargetDown',
      severity: 'page',
      job: 'shipping',
      instance: '10.0.0.2:9464',
    };
    const absent = { alertname: 'EventscopeMetricsAbsent', severity: 'ticket', job: 'audit' };
    await post([down, absent]);
    await webhook.waitForAlert((a) => is(down)(a.labels), 30_000);
    await webhook.waitForAlert((a) => is(absent)(a.labels), 30_000);

    const held = [
      // Aggregated over instances, as nearly every alert is: no instance label to compare.
      { alertname: 'EventscopeHighErrorRatio', severity: 'ticket', ...destination('shipping', 'parcels') },
      {
        alertname: 'EventscopeLatencyRegression',
        severity: 'page',
        baseline: '1w',
        ...destination('shipping', 'parcels'),
      },
      { alertname: 'EventscopeMetricsAbsent', severity: 'ticket', job: 'shipping' },
      { alertname: 'EventscopeEventsDeadLettered', severity: 'ticket', ...destination('audit', 'entries') },
    ];
    const passed = [
      // Another service of the same Alertmanager.
      { alertname: 'EventscopeHighErrorRatio', severity: 'ticket', ...destination('payments', 'charges') },
      // The user's own alert on the same service: not eventscope's to hold back.
      { alertname: 'KafkaConsumerLagHigh', severity: 'page', job: 'shipping' },
      // A ticket (absent metrics) never holds back a page.
      { alertname: 'EventscopeConsumerStalled', severity: 'page', ...destination('audit', 'entries') },
    ];
    await post([...held, ...passed]);
    for (const alert of passed) await webhook.waitForAlert((a) => is(alert)(a.labels), 30_000);
    await sleep(7_000);
    for (const alert of held) {
      expect(delivered(is(alert)), `${alert.alertname} of ${alert.job} is held back`).toEqual([]);
    }

    const response = await fetch(`${alertmanager.url}/api/v2/alerts`);
    const state = (await response.json()) as { labels: Labels; status: { inhibitedBy: string[] } }[];
    const inhibited = (alert: Labels) => state.find((a) => is(alert)(a.labels))?.status.inhibitedBy ?? [];
    for (const alert of held) expect(inhibited(alert), alert.alertname).not.toEqual([]);
    for (const alert of passed) expect(inhibited(alert), alert.alertname).toEqual([]);
  });
});
