import { startPipeline } from '@eventscope/demo';
import {
  alertmanagerBinary,
  prometheusBinary,
  scrapeConfig,
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  type WebhookAlert,
} from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { generateAlerts } from '../src/index.js';

/**
 * Our users' incident, end to end: the instrumented in-process pipeline runs steadily, then a
 * handler starts allocating and retaining memory (GC pauses lengthen, latency rises). Real
 * Prometheus evaluates the generated rules (test profile: one-minute baseline, second-scale
 * `for:`), real Alertmanager routes the alerts to a webhook, and they resolve once fixed.
 */

const available = Boolean(prometheusBinary()) && Boolean(alertmanagerBinary());
const STEADY_MS = 85_000;

const isGcAlert = (a: WebhookAlert) => /Gc/.test(a.labels.alertname ?? '');
const isLatencyRegression = (a: WebhookAlert) => a.labels.alertname === 'EventscopeLatencyRegression';

describe.skipIf(!available)('alerts end to end: steady, then GC pressure, then fixed', () => {
  it('pages on the latency regression and the GC alert, then resolves', { timeout: 330_000 }, async () => {
    const webhook = await startWebhookReceiver();
    const pipeline = await startPipeline({ scenario: 'steady', logger: false });
    const cleanups: (() => Promise<void>)[] = [async () => pipeline.stop(), async () => webhook.close()];
    try {
      const receiver = (name: string) => ({ name, webhook: { url: webhook.url } });
      const files = generateAlerts({
        profile: 'test',
        // Short windows see more noise than production's: a regression must double p99 here.
        thresholds: { latencyRegressionFactor: 2 },
        alerts: { alertmanager: { receivers: [receiver('page'), receiver('ticket'), receiver('default')] } },
      });
      const alertmanager = await startAlertmanager(files['alertmanager.yml']!);
      cleanups.unshift(() => alertmanager.stop());
      const ruleFiles = Object.keys(files).filter((f) => f.startsWith('rules/'));
      const target = new URL(pipeline.metricsUrl).host;
      const prometheus = await startPrometheus({
        config: scrapeConfig([target], {
          interval: '1s',
          job: 'billing',
          ruleFiles: ruleFiles.map((f) => f.slice('rules/'.length)),
          alertmanager: alertmanager.address,
        }),
        files: Object.fromEntries(ruleFiles.map((f) => [f.slice('rules/'.length), files[f]!])),
      });
      cleanups.unshift(() => prometheus.stop());
      await prometheus.waitForTargets(1);

      // A baseline: the regression rules compare against one minute ago.
      await new Promise((r) => setTimeout(r, STEADY_MS));
      const calm = webhook.notifications
        .flatMap((n) => n.alerts)
        .filter((a) => isGcAlert(a) || isLatencyRegression(a))
        .map(
          (a) =>
            `${a.status} ${a.labels.alertname} ${a.labels.messaging_destination_name ?? a.labels.instance}: ${a.annotations.description}`,
        );
      expect(calm, 'no regression or GC alert while steady').toEqual([]);

      const injectedAt = Date.now();
      pipeline.setScenario('gc-pressure');
      const latency = await webhook.waitForAlert(
        (a) => a.status === 'firing' && isLatencyRegression(a),
        150_000,
      );
      const gc = await webhook.waitForAlert((a) => a.status === 'firing' && isGcAlert(a), 60_000);
      console.log(
        `injection → notification: ${latency.alert.labels.alertname} ${((latency.receivedAt - injectedAt) / 1000).toFixed(1)} s, ` +
          `${gc.alert.labels.alertname} ${((gc.receivedAt - injectedAt) / 1000).toFixed(1)} s`,
      );
      expect(latency.alert.labels).toMatchObject({
        job: 'billing',
        messaging_system: 'inprocess',
        severity: 'page',
      });
      expect(latency.alert.labels.messaging_destination_name).toMatch(
        /^(orders\.created|payments\.settled)$/,
      );
      expect(latency.alert.annotations.runbook_url).toMatch(/EventscopeLatencyRegression\.md$/);
      expect(latency.alert.annotations.description).toMatch(/times its value 1m ago/);

      const fixedAt = Date.now();
      pipeline.setScenario('fixed');
      const sameAlert = (a: WebhookAlert, b: WebhookAlert) =>
        a.labels.alertname === b.labels.alertname &&
        a.labels.instance === b.labels.instance &&
        a.labels.messaging_destination_name === b.labels.messaging_destination_name;
      const resolvedLatency = await webhook.waitForAlert(
        (a) => a.status === 'resolved' && sameAlert(a, latency.alert),
        120_000,
      );
      const resolvedGc = await webhook.waitForAlert(
        (a) => a.status === 'resolved' && sameAlert(a, gc.alert),
        120_000,
      );
      console.log(
        `fix → resolved: latency ${((resolvedLatency.receivedAt - fixedAt) / 1000).toFixed(1)} s, GC ${((resolvedGc.receivedAt - fixedAt) / 1000).toFixed(1)} s`,
      );
    } finally {
      for (const cleanup of cleanups) await cleanup().catch(() => {});
    }
  });
});
