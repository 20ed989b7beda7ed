import { createServer } from 'node:net';
import type { LiveStats } from '@eventscope/demo';
import { describe, expect, it } from 'vitest';
import { type DemoFrame, formatQuantileBound, renderDemoFrame } from '../src/view/demo-view.js';
import { runCli } from './run-cli.js';

/** The figures of every frame the demo printed in --plain mode. */
function frames(stdout: string): { eventsPerSecond: number; latencyP50: string; gcShare: string }[] {
  return stdout
    .split('\n---\n')
    .map((frame) => ({
      eventsPerSecond: Number(/throughput\s+([\d.]+) events\/s/.exec(frame)?.[1] ?? Number.NaN),
      latencyP50: /latency\s+p50 ((?:≤|>) [\d.]+ [µm]?s|–)/.exec(frame)?.[1] ?? '',
      gcShare: /time in GC ([\d.]+ %)/.exec(frame)?.[1] ?? '',
    }))
    .filter((f) => !Number.isNaN(f.eventsPerSecond));
}

describe('eventscope demo', () => {
  it('shows nonzero throughput and latency within 10 s, then stops cleanly', async () => {
    const result = await runCli(['demo', '--port', '0', '--duration', '6', '--plain', '--no-alerts'], {
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const shown = frames(result.stdout);
    expect(shown.length).toBeGreaterThanOrEqual(4);
    const live = shown.find((f) => f.eventsPerSecond > 0 && f.latencyP50 !== '–');
    expect(live).toBeDefined();
    expect(shown.indexOf(live!)).toBeLessThan(9);
    expect(result.stdout).toMatch(/stopped after \d+ s; [1-9]\d* events processed/);
    expect(result.stdout).toContain(
      'eventscope demo: keys are off (--plain prints frames one after another)',
    );
  });

  it('counts down the warm-up in the header, then runs the scenario; piped output says the keys are off', async () => {
    const result = await runCli(
      ['demo', '--port', '0', '--duration', '5', '--warmup', '3', '--scenario', 'gc-pressure', '--no-alerts'],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('eventscope demo: keys are off (output is not a terminal)');
    const headers = result.stdout.split('\n').filter((line) => line.startsWith('eventscope demo  scenario'));
    const countdown = headers.filter((line) => line.includes('warm-up'));
    expect(countdown.length).toBeGreaterThanOrEqual(1);
    for (const line of countdown) expect(line).toMatch(/scenario steady .* warm-up: gc-pressure in [1-3] s$/);
    const seconds = countdown.map((line) => Number(/in (\d) s$/.exec(line)![1]));
    expect(seconds).toEqual([...seconds].sort().reverse());
    const last = headers[headers.length - 1]!;
    expect(last).toMatch(/scenario gc-pressure /);
    expect(last).not.toContain('warm-up');
  });

  it('explains the rate: N orders/s published, each through 2 handlers, so about 2N events/s', async () => {
    const result = await runCli(
      ['demo', '--port', '0', '--duration', '5', '--rate', '50', '--plain', '--no-alerts'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(result.code).toBe(0);
    const shown = frames(result.stdout);
    expect(result.stdout).toMatch(/events\/s \(50\.0 orders\/s published, 2 handlers per order\)/);
    const settled = shown[shown.length - 1]!.eventsPerSecond;
    expect(settled).toBeGreaterThan(70);
    expect(settled).toBeLessThan(130);
  });

  it('rejects an unknown scenario and a bad rate with exit 2', async () => {
    const scenario = await runCli(['demo', '--scenario', 'chaos']);
    expect(scenario.code).toBe(2);
    expect(scenario.stderr).toMatch(/use one of: steady, gc-pressure, fixed/);
    const rate = await runCli(['demo', '--rate', 'fast']);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate must be a positive number/);
  });

  it('exits 3 with what to do when the metrics port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['demo', '--port', String(port), '--duration', '1', '--plain']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*--port 0`));
    } finally {
      blocker.close();
    }
  });
});

/** A frame with nothing happening; tests set what they look at. */
function frame(overrides: Partial<DemoFrame> = {}, atMost: Partial<LiveStats['atMost']> = {}): DemoFrame {
  const stats: LiveStats = {
    windowSeconds: 5,
    eventsPerSecond: 400,
    errorsPerSecond: 2,
    latencyP50: 0.0043,
    latencyP99: 0.0099,
    eventAgeP99: 0.00099,
    gcPausesPerSecond: 1,
    gcPauseP99: 0.0021,
    gcTimeShare: 0.01,
    handlerGcShare: 0.02,
    heapUsedBytes: 50 * 2 ** 20,
    heapLimitBytes: 4 * 2 ** 30,
    slowByCause: { gc: 0, event_loop: 0, handler: 0 },
    slowTotalByCause: { gc: 0, event_loop: 0, handler: 0 },
    atMost: { latencyP50: 0.005, latencyP99: 0.01, eventAgeP99: 0.001, gcPauseP99: 0.0025, ...atMost },
  };
  return {
    scenario: 'steady',
    metricsUrl: 'http://127.0.0.1:9464/metrics',
    uptimeSeconds: 12,
    stats,
    counts: { published: 2000, processed: 3990, failed: 20, queued: 0, retainedObjects: 0 },
    orderRate: 200,
    handlersPerOrder: 2,
    interactive: false,
    ...overrides,
  };
}

describe('the demo view', () => {
  it('prints quantiles no more precisely than the buckets know them: ≤ the bound, > the last one', () => {
    const text = renderDemoFrame(frame(), false).join('\n');
    expect(text).toMatch(/latency\s+p50 ≤ 5 ms {3}p99 ≤ 10 ms/);
    expect(text).toMatch(/event age\s+p99 ≤ 1 ms/);
    expect(text).toMatch(/GC pauses .* p99 ≤ 2\.5 ms/);
    // The interpolated figures (9.9 ms, 990 µs) claim a precision the histogram does not have.
    expect(text).not.toMatch(/9\.9 ms|990 µs|4\.3 ms|2\.1 ms/);
    expect(formatQuantileBound(0.00025, 10)).toBe('≤ 250 µs');
    expect(formatQuantileBound(0.1, 10)).toBe('≤ 100 ms');
    expect(formatQuantileBound(2.5, 10)).toBe('≤ 2.5 s');
    expect(formatQuantileBound(Number.POSITIVE_INFINITY, 10)).toBe('> 10 s');
    expect(formatQuantileBound(Number.NaN, 10)).toBe('–');
    const slow = renderDemoFrame(frame({}, { latencyP99: Number.POSITIVE_INFINITY }), false).join('\n');
    expect(slow).toMatch(/p99 > 10 s/);
  });

  it('shows the warm-up countdown and the scenario that follows', () => {
    const [header] = renderDemoFrame(
      frame({ warmup: { next: 'gc-pressure', remainingSeconds: 22.3 } }),
      false,
    );
    expect(header).toBe('eventscope demo  scenario steady (healthy pipeline)   warm-up: gc-pressure in 23 s');
    const [after] = renderDemoFrame(frame({ scenario: 'gc-pressure' }), false);
    expect(after).not.toContain('warm-up');
  });

  it('explains the rate beside the throughput', () => {
    const text = renderDemoFrame(frame(), false).join('\n');
    expect(text).toContain('400 events/s (200 orders/s published, 2 handlers per order)');
  });

  it('lists the keys when they work and says why when they do not', () => {
    expect(renderDemoFrame(frame({ interactive: true }), false).at(-1)).toBe(
      'keys: s steady · g gc-pressure · f fixed · q quit',
    );
    expect(
      renderDemoFrame(frame({ keysOff: 'input is not a terminal; Ctrl-C stops the demo' }), false).at(-1),
    ).toBe('keys off: input is not a terminal; Ctrl-C stops the demo');
  });
});
