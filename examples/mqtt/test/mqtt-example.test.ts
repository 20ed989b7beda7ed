import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { attributes, labelName, metricName } from '@eventscope/catalog';
import { freePort, needService, runExample, scrapeSamples, sumSamples } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const available = await needService('Mosquitto', 1883, 'mosquitto -p 1883');
const unique = () => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

const label = {
  system: labelName(attributes.system),
  destination: labelName(attributes.destination),
  group: labelName(attributes.consumerGroup),
  errorType: labelName(attributes.errorType),
};

describe.skipIf(!available)('MQTT example against Mosquitto on 127.0.0.1:1883', () => {
  it('sends and bills every order; /metrics counts each exactly once, with MQTT 5 properties; exits 0 by itself', async () => {
    const topic = `example/orders/${unique()}`;
    const N = 500;
    const run = runExample(main, [
      ...['--count', String(N), '--rate', '0', '--port', '0', '--linger', '8'],
      ...['--topic', topic, '--group', 'billing'],
    ]);
    try {
      const [, url] = await run.waitForLine(/metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/);
      const done = await run.waitForLine(/^done: sent (\d+), billed (\d+)/);
      expect([done[1], done[2]]).toEqual([String(N), String(N)]);

      const samples = await scrapeSamples(url!);
      const here = { [label.system]: 'mqtt', [label.destination]: topic };
      const billing = { ...here, [label.group]: 'billing' };
      expect(sumSamples(samples, metricName('sentMessages'), here)).toBe(N);
      expect(sumSamples(samples, metricName('consumedMessages'), billing)).toBe(N);
      expect(sumSamples(samples, `${metricName('eventAge')}_count`, billing)).toBe(N);
      expect(sumSamples(samples, `${metricName('eventAge')}_bucket`, { ...billing, le: '+Inf' })).toBe(N);
      const ageSum = sumSamples(samples, `${metricName('eventAge')}_sum`, billing);
      expect(ageSum).toBeGreaterThanOrEqual(0);
      expect(ageSum / N).toBeLessThan(30);
      // MQTT 5 user properties carried the creation time and trace context of every order.
      expect(sumSamples(samples, metricName('propagationErrors'), here)).toBe(0);
      const failed = samples.filter(
        (s) => s.name === metricName('consumedMessages') && s.labels[label.errorType] !== undefined,
      );
      expect(failed).toEqual([]);

      expect(await run.exited).toEqual({ code: 0, signal: null });
    } finally {
      await run.stop();
    }
  });

  it('SIGTERM mid-run stops sending, bills what was sent and exits 0', async () => {
    const run = runExample(main, [
      ...['--count', '1000000', '--rate', '100', '--port', '0'],
      ...['--topic', `example/orders/${unique()}`],
    ]);
    try {
      await run.waitForLine(/^sent [1-9]\d*, billed/);
      run.child.kill('SIGTERM');
      const done = await run.waitForLine(/^done: sent (\d+), billed (\d+)/);
      expect(Number(done[1])).toBeGreaterThan(0);
      expect(done[2]).toBe(done[1]);
      expect(await run.exited).toEqual({ code: 0, signal: null });
    } finally {
      await run.stop();
    }
  });
});

describe('MQTT example: bad input', () => {
  it('an unknown flag prints the usage and exits 2', async () => {
    const run = runExample(main, ['--bogus']);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output()).toMatch(/Unknown option '--bogus'[\s\S]*usage: /);
  });

  it('an unreachable server says what to start and exits 1', async () => {
    const port = await freePort();
    const run = runExample(main, ['--port', '0', '--url', `mqtt://127.0.0.1:${port}`]);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/cannot start: .*ECONNREFUSED.*\n.*mosquitto/);
  });
});
