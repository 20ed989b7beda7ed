import { startPipeline } from '@eventscope/demo';
import { alertmanagerBinary, freePort, prometheusBinary, waitFor } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './run-cli.js';

const available = Boolean(prometheusBinary()) && Boolean(alertmanagerBinary());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Math.floor(Date.now() / 1000);

/** `eventscope stack` with its own free ports, scraping one target; returns its Prometheus URL. */
async function stack(target: string, profile: 'production' | 'test', seconds: number) {
  const [prometheus, alertmanager, webhook] = await Promise.all([freePort(), freePort(), freePort()]);
  const cli = startCli([
    'stack',
    '--profile',
    profile,
    '--target',
    target,
    '--prometheus-port',
    String(prometheus),
    '--alertmanager-port',
    String(alertmanager),
    '--webhook-port',
    String(webhook),
    '--duration',
    String(seconds),
  ]);
  await waitFor(() => cli.stdout().includes('eventscope stack: running'), {
    timeoutMs: 60_000,
    what: `the ${profile} stack\n${cli.stderr()}`,
  });
  return { cli, url: `http://127.0.0.1:${prometheus}` };
}

interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

async function range(url: string, query: string, start: number, end: number, step = 1): Promise<Series[]> {
  const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  const body = (await (await fetch(`${url}/api/v1/query_range?${params}`)).json()) as {
    status: string;
    data: { result: Series[] };
  };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** Every alert that was firing at any step of [start, end], with when. */
async function firedBetween(url: string, start: number, end: number) {
  const series = await range(url, 'ALERTS{alertstate="firing"}', start, end);
  return series.map((s) => ({
    alert: s.metric.alertname,
    labels: s.metric,
    from: Number(s.values[0]![0]) - start,
    to: Number(s.values.at(-1)![0]) - start,
  }));
}

async function stopAll(...clis: (RunningCli | undefined)[]) {
  await Promise.all(clis.map((c) => c?.stop()));
}

// Both mostly sleep: run side by side.
describe.skipIf(!available).concurrent('the demo against the alerts it ships with', () => {
  it('steady, 10 minutes: no alert fires, in the default profile nor in the stack test profile', {
    timeout: 720_000,
  }, async () => {
    const demoPort = await freePort();
    const target = `127.0.0.1:${demoPort}`;
    const minutes = 10;
    let demo: RunningCli | undefined;
    let production: Awaited<ReturnType<typeof stack>> | undefined;
    let test: Awaited<ReturnType<typeof stack>> | undefined;
    try {
      // The demo first, so that no server ever scrapes a target that is not up yet.
      demo = startCli([
        'demo',
        '--port',
        String(demoPort),
        '--scenario',
        'steady',
        '--plain',
        '--no-alerts',
        '--duration',
        String(minutes * 60 + 90),
      ]);
      await waitFor(() => demo!.stdout().includes('metrics at'), { timeoutMs: 30_000, what: 'the demo' });
      [production, test] = await Promise.all([
        stack(target, 'production', minutes * 60 + 60),
        stack(target, 'test', minutes * 60 + 60),
      ]);
      const start = now();
      await sleep(minutes * 60 * 1000);
      const end = now();
      for (const [name, prometheus, window] of [
        ['production', production, '1h'],
        ['test', test, '1m'],
      ] as const) {
        // Not vacuous: the demo was scraped throughout, and the error SLI saw its failed orders.
        const up = await range(prometheus.url, 'up', start + 30, end, 15);
        expect(
          up.flatMap((s) => s.values.map((v) => v[1])).every((v) => v === '1'),
          name,
        ).toBe(true);
        const sli = `max(slo:sli_error:ratio_rate${window})`;
        const errors = await range(prometheus.url, sli, end - 60, end, 15);
        const ratio = Number(errors[0]?.values.at(-1)?.[1] ?? 'NaN');
        expect(ratio, `${name}: error SLI`).toBeGreaterThan(0);
        expect(ratio, `${name}: error SLI`).toBeLessThan(0.001);
        expect(await firedBetween(prometheus.url, start, end), name).toEqual([]);
      }
    } finally {
      await stopAll(demo, production?.cli, test?.cli);
    }
  });

  it('gc-pressure outlasting the baseline: the incident alerts fire, keep firing while it lasts, resolve after the fix', {
    timeout: 720_000,
  }, async () => {
    const pipeline = await startPipeline({ rate: 200, logger: false });
    const target = new URL(pipeline.metricsUrl).host;
    let test: Awaited<ReturnType<typeof stack>> | undefined;
    try {
      test = await stack(target, 'test', 600);
      // Healthy for longer than the test profile's one-minute baseline and its 20 s window.
      await sleep(90_000);
      pipeline.setScenario('gc-pressure');
      const onset = now();
      // Three and a half minutes of pressure: over three times the baseline the old rules forgot it after.
      await sleep(210_000);
      const fixedAt = now();
      const fired = await firedBetween(test.url, onset, fixedAt);
      const latency = fired.filter((a) => a.alert === 'EventscopeLatencyRegression');
      expect(latency, JSON.stringify(fired)).not.toEqual([]);
      // Fired within the first two minutes, and still firing at the end of the pressure, with no gap.
      const series = await range(
        test.url,
        'max(ALERTS{alertname="EventscopeLatencyRegression", alertstate="firing"})',
        onset,
        fixedAt,
      );
      const times = series[0]!.values.map((v) => Number(v[0]) - onset);
      expect(times[0]).toBeLessThan(120);
      expect(fixedAt - onset - times.at(-1)!).toBeLessThanOrEqual(2);
      expect(times.length, 'firing every second since it started').toBeGreaterThanOrEqual(
        times.at(-1)! - times[0]! - 2,
      );
      pipeline.setScenario('fixed');
      await waitFor(
        async () =>
          (await range(test!.url, 'ALERTS{alertname="EventscopeLatencyRegression"}', now() - 1, now()))
            .length === 0,
        {
          timeoutMs: 120_000,
          intervalMs: 2000,
          what: 'EventscopeLatencyRegression to resolve after the fix',
        },
      );
    } finally {
      await pipeline.stop();
      await stopAll(test?.cli);
    }
  });
});
