import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  alertmanagerBinary,
  freePort,
  prometheusBinary,
  startAlertmanager,
  waitFor,
} from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { startAlertmanager as startStackAlertmanager } from '../src/stack-servers.js';
import type { SupervisedProcess } from '../src/supervised-process.js';
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

  it.skipIf(!available)('exits 2 on a malformed target or the same port twice', async () => {
    const target = await runCli(['stack', '--target', 'http://demo/metrics', '--duration', '1']);
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(/must be host:port/);
    const port = String(await freePort());
    const twice = await runCli([
      'stack',
      '--prometheus-port',
      port,
      '--webhook-port',
      port,
      '--duration',
      '1',
    ]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--prometheus-port and --webhook-port are both/);
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

/**
 * A stack in its own temporary folder (TMPDIR), so that what it leaves behind — folders and
 * processes, whose command lines name that folder — is told apart from everything else running.
 */
async function isolatedStack() {
  const tmp = mkdtempSync(join(tmpdir(), 'eventscope-stack-test-'));
  const [prometheusPort, alertmanagerPort, webhookPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const args = (ports: { prometheus?: number; alertmanager?: number; webhook?: number } = {}) => [
    'stack',
    '--target',
    `127.0.0.1:${prometheusPort + 1}`,
    '--prometheus-port',
    String(ports.prometheus ?? prometheusPort),
    '--alertmanager-port',
    String(ports.alertmanager ?? alertmanagerPort),
    '--webhook-port',
    String(ports.webhook ?? webhookPort),
  ];
  return {
    tmp,
    ports: { prometheus: prometheusPort, alertmanager: alertmanagerPort, webhook: webhookPort },
    args,
    env: { TMPDIR: tmp },
    /** The stack's folders left in its TMPDIR. */
    folders: () => readdirSync(tmp).filter((name) => name.startsWith('eventscope-stack-')),
    /** Live processes whose command line names the stack's TMPDIR (its Prometheus and Alertmanager). */
    processes: () => processesMentioning(tmp),
    remove: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** Pids of live processes (not zombies) whose command line contains `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

async function listen(port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe.skipIf(!available)('eventscope stack never reports success on failure', () => {
  it.each(['prometheus', 'alertmanager', 'webhook'] as const)(
    'with its %s port taken: exit 3 before anything starts, naming the port and the flag; nothing left',
    async (which) => {
      const stack = await isolatedStack();
      const blocker = await listen();
      const port = (blocker.address() as { port: number }).port;
      try {
        const result = await runCli([...stack.args({ [which]: port }), '--duration', '5'], {
          env: stack.env,
        });
        expect(result.code, result.stderr).toBe(3);
        expect(result.stdout).not.toContain('running');
        expect(result.stderr).toContain(`127.0.0.1:${port}`);
        expect(result.stderr).toContain(`--${which}-port`);
        expect(stack.folders()).toEqual([]);
        expect(stack.processes()).toEqual([]);
      } finally {
        blocker.close();
        stack.remove();
      }
    },
  );

  it('with another Alertmanager on its port: exit 3, never using that one', async () => {
    const stack = await isolatedStack();
    const other = await startAlertmanager(
      "route: { receiver: x }\nreceivers: [{ name: x, webhook_configs: [{ url: 'http://127.0.0.1:1/' }] }]\n",
    );
    const port = Number(other.address.split(':')[1]);
    try {
      const result = await runCli([...stack.args({ alertmanager: port }), '--duration', '5'], {
        env: stack.env,
      });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout).not.toContain('running');
      expect(result.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*--alertmanager-port`));
      expect(stack.folders()).toEqual([]);
      expect(stack.processes()).toEqual([]);
    } finally {
      await other.stop();
      stack.remove();
    }
  });

  it('takes a server for ready only while its own process serves: an early exit wins over a stranger answering', async () => {
    // The port check cannot close every race (another process may bind between the check and
    // the start); the readiness check must then see that the answer is not ours.
    const other = await startAlertmanager(
      "route: { receiver: x }\nreceivers: [{ name: x, webhook_configs: [{ url: 'http://127.0.0.1:1/' }] }]\n",
    );
    const dir = mkdtempSync(join(tmpdir(), 'eventscope-stack-test-'));
    let child: SupervisedProcess | undefined;
    try {
      writeFileSync(
        join(dir, 'alertmanager.yml'),
        "route: { receiver: x }\nreceivers: [{ name: x, webhook_configs: [{ url: 'http://127.0.0.1:2/' }] }]\n",
      );
      const started = startStackAlertmanager({
        binary: alertmanagerBinary()!,
        dir,
        port: Number(other.address.split(':')[1]),
        abort: new AbortController().signal,
        onSpawn: (spawned) => {
          child = spawned;
        },
        configFile: join(dir, 'alertmanager.yml'),
        webhookUrl: 'http://127.0.0.1:2/',
      });
      await expect(started).rejects.toThrow(
        /Alertmanager could not listen on 127\.0\.0\.1:\d+.*--alertmanager-port/,
      );
      expect(child?.alive).toBe(false);
    } finally {
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['Prometheus', 'Alertmanager'] as const)(
    'with its %s killed mid-run: exit 3 at once, naming it and the signal; nothing left',
    async (name) => {
      const stack = await isolatedStack();
      const running = startCli(stack.args(), { env: stack.env });
      try {
        await waitFor(() => running.stdout().includes('eventscope stack: running'), {
          timeoutMs: 60_000,
          what: `the stack\n${running.stderr()}`,
        });
        // The hints name the ports in use, not the defaults.
        expect(running.stdout()).toContain(`http://127.0.0.1:${stack.ports.prometheus}`);
        expect(running.stdout()).toContain(`http://127.0.0.1:${stack.ports.alertmanager}`);
        expect(running.stdout()).toContain(
          `eventscope demo --scenario gc-pressure --warmup 90 --port ${stack.ports.prometheus + 1} --alerts http://127.0.0.1:${stack.ports.webhook}/alerts`,
        );
        const pid = Number(new RegExp(`${name}\\s.*\\(pid (\\d+)\\)`).exec(running.stdout())?.[1]);
        expect(stack.processes()).toContain(pid);
        expect(stack.folders()).toHaveLength(1);
        const killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
        const result = await running.done;
        expect(Date.now() - killedAt).toBeLessThan(10_000);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toMatch(
          new RegExp(`${name} was killed by SIGKILL while the stack was running`),
        );
        expect(stack.folders()).toEqual([]);
        expect(stack.processes()).toEqual([]);
      } finally {
        await running.stop();
        stack.remove();
      }
    },
  );

  it('on SIGTERM: stops its servers, removes its folder and exits 0', async () => {
    const stack = await isolatedStack();
    const running = startCli(stack.args(), { env: stack.env });
    try {
      await waitFor(() => running.stdout().includes('eventscope stack: running'), {
        timeoutMs: 60_000,
        what: `the stack\n${running.stderr()}`,
      });
      expect(stack.processes()).toHaveLength(2);
      const result = await running.stop();
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('eventscope stack: stopped (SIGTERM)');
      expect(stack.folders()).toEqual([]);
      expect(stack.processes()).toEqual([]);
    } finally {
      await running.stop();
      stack.remove();
    }
  });
});
