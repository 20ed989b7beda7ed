import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { alertmanagerBinary, freePort, prometheusBinary, waitFor } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './run-cli.js';

const available = Boolean(prometheusBinary()) && Boolean(alertmanagerBinary());

interface Alert {
  name: string;
  status: string;
  subject: string;
}

describe.skipIf(!available)('eventscope stack + eventscope demo --scenario gc-pressure', () => {
  it('delivers the latency-regression and GC alerts to the webhook, and the demo shows them', {
    timeout: 330_000,
  }, async () => {
    const [demoPort, prometheusPort, alertmanagerPort, webhookPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const stack = startCli([
      'stack',
      '--target',
      `127.0.0.1:${demoPort}`,
      '--job',
      'billing',
      '--prometheus-port',
      String(prometheusPort),
      '--alertmanager-port',
      String(alertmanagerPort),
      '--webhook-port',
      String(webhookPort),
    ]);
    const alertsUrl = `http://127.0.0.1:${webhookPort}/alerts`;
    const demo = startCli([
      'demo',
      '--port',
      String(demoPort),
      '--scenario',
      'gc-pressure',
      '--warmup',
      '85',
      '--plain',
      '--alerts',
      alertsUrl,
      '--duration',
      '300',
    ]);
    try {
      await waitFor(() => stack.stdout().includes('eventscope stack: running'), {
        timeoutMs: 60_000,
        what: 'the stack',
      });
      const firing = async () => {
        const body = (await (await fetch(alertsUrl)).json()) as { alerts: Alert[] };
        return body.alerts.filter((a) => a.status === 'firing');
      };
      // Healthy first: the regression rules compare against one minute ago.
      await new Promise((r) => setTimeout(r, 80_000));
      expect((await firing()).filter((a) => /LatencyRegression|Gc/.test(a.name))).toEqual([]);

      const latency = await waitFor(
        async () => (await firing()).find((a) => a.name === 'EventscopeLatencyRegression'),
        {
          timeoutMs: 170_000,
          intervalMs: 1000,
          what: 'EventscopeLatencyRegression at the webhook',
        },
      );
      expect(latency.subject).toMatch(/^(orders\.created|payments\.settled)$/);
      await waitFor(async () => (await firing()).find((a) => /Gc/.test(a.name)), {
        timeoutMs: 60_000,
        intervalMs: 1000,
        what: 'a GC alert at the webhook',
      });
      // Both places a person watches: the stack's log and the demo's view.
      await waitFor(() => /FIRING\s+EventscopeLatencyRegression/.test(stack.stdout()), {
        timeoutMs: 10_000,
        what: 'the stack log line',
      });
      await waitFor(() => /FIRING\s+EventscopeLatencyRegression/.test(demo.stdout()), {
        timeoutMs: 10_000,
        what: 'the alert in the demo view',
      });
      expect(demo.stdout()).toContain('scenario gc-pressure');
    } finally {
      const [demoResult, stackResult] = await Promise.all([demo.stop(), stack.stop()]);
      expect(stackResult.stdout).toContain('eventscope stack: stopped');
      expect(demoResult.stdout).toMatch(/eventscope demo: stopped/);
    }
  });
});

describe('eventscope stack, bad input', () => {
  it('says how to install Prometheus and Alertmanager when they are missing (exit 3)', async () => {
    const result = await runCli(['stack', '--duration', '1'], { env: { PATH: dirname(process.execPath) } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /needs prometheus \(apt-get install prometheus\) and prometheus-alertmanager \(apt-get install prometheus-alertmanager\)/,
    );
  });

  it.skipIf(!available)('exits 3 when its webhook port is taken, and 2 on a malformed target', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await runCli(['stack', '--webhook-port', String(port), '--duration', '1']);
      expect(taken.code).toBe(3);
      expect(taken.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*--webhook-port`));
    } finally {
      blocker.close();
    }
    const target = await runCli(['stack', '--target', 'http://demo/metrics', '--duration', '1']);
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(/must be host:port/);
  });

  it.skipIf(!available)(
    'accepts the config generate accepts (matcher and equality selectors, own SLOs, thresholds, baselines)',
    async () => {
      const shop = join(import.meta.dirname, '../../config/examples/shop.yaml');
      const [prometheusPort, alertmanagerPort, webhookPort] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
      ]);
      const result = await runCli([
        'stack',
        '--config',
        shop,
        '--prometheus-port',
        String(prometheusPort),
        '--alertmanager-port',
        String(alertmanagerPort),
        '--webhook-port',
        String(webhookPort),
        '--duration',
        '2',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('eventscope stack: running');
      // Its scrape targets and job come from the config when no flag names them.
      expect(result.stdout).toContain('scraping billing:9464, shipping:9464');
    },
  );
});
