import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** The figures of every frame the demo printed in --plain mode. */
function frames(stdout: string): { eventsPerSecond: number; latencyP50: string; gcShare: string }[] {
  return stdout
    .split('\n---\n')
    .map((frame) => ({
      eventsPerSecond: Number(/throughput\s+([\d.]+) events\/s/.exec(frame)?.[1] ?? Number.NaN),
      latencyP50: /latency\s+p50 ([^ ]+ [µm]?s)/.exec(frame)?.[1] ?? '',
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
