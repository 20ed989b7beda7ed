import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { attributes, labelName, metricName } from '@eventscope/catalog';
import { freePort, needService, runExample, scrapeSamples, sumSamples } from '@eventscope/testkit';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const available = await needService('NATS', 4222, 'nats-server -js -a 127.0.0.1');
const unique = () => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

const label = {
  system: labelName(attributes.system),
  destination: labelName(attributes.destination),
  group: labelName(attributes.consumerGroup),
  outcome: labelName(attributes.settleOutcome),
  errorType: labelName(attributes.errorType),
};

describe.skipIf(!available)('NATS JetStream example against nats-server on 127.0.0.1:4222', () => {
  it('sends and bills every order; /metrics counts each exactly once; exits 0 by itself and removes its stream', async () => {
    const id = unique();
    const stream = `EXAMPLE_${id}`;
    const subject = `example.${id}.orders`;
    const N = 500;
    const run = runExample(main, [
      ...['--count', String(N), '--rate', '0', '--port', '0', '--linger', '8'],
      ...['--stream', stream, '--subject', subject, '--consumer', 'billing'],
    ]);
    try {
      const [, url] = await run.waitForLine(/metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/);
      const done = await run.waitForLine(/^done: sent (\d+), billed (\d+)/);
      expect([done[1], done[2]]).toEqual([String(N), String(N)]);

      const samples = await scrapeSamples(url!);
      const here = { [label.system]: 'nats', [label.destination]: subject };
      const billing = { ...here, [label.group]: 'billing' };
      expect(sumSamples(samples, metricName('sentMessages'), here)).toBe(N);
      expect(sumSamples(samples, metricName('consumedMessages'), billing)).toBe(N);
      expect(sumSamples(samples, `${metricName('eventAge')}_count`, billing)).toBe(N);
      expect(sumSamples(samples, `${metricName('eventAge')}_bucket`, { ...billing, le: '+Inf' })).toBe(N);
      const ageSum = sumSamples(samples, `${metricName('eventAge')}_sum`, billing);
      expect(ageSum).toBeGreaterThanOrEqual(0);
      expect(ageSum / N).toBeLessThan(30);
      expect(sumSamples(samples, metricName('settledEvents'), { ...billing, [label.outcome]: 'ack' })).toBe(
        N,
      );
      const failed = samples.filter(
        (s) => s.name === metricName('consumedMessages') && s.labels[label.errorType] !== undefined,
      );
      expect(failed).toEqual([]);

      expect(await run.exited).toEqual({ code: 0, signal: null });
      const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
      try {
        const jsm = await nc.jetstreamManager();
        await expect(jsm.streams.info(stream)).rejects.toThrow(/stream not found/);
      } finally {
        await nc.close();
      }
    } finally {
      await run.stop();
    }
  });

  it('--duration stops sending by itself, bills everything sent and exits 0', async () => {
    const id = unique();
    const run = runExample(main, [
      ...['--duration', '2', '--rate', '50', '--port', '0'],
      ...['--stream', `EXAMPLE_${id}`, '--subject', `example.${id}.orders`],
    ]);
    try {
      const done = await run.waitForLine(/^done: sent (\d+), billed (\d+)/);
      // 2 s at 50/s: about 100, fewer when the machine is busy, never more.
      expect(Number(done[1])).toBeGreaterThan(0);
      expect(Number(done[1])).toBeLessThanOrEqual(101);
      expect(done[2]).toBe(done[1]);
      expect(await run.exited).toEqual({ code: 0, signal: null });
    } finally {
      await run.stop();
    }
  });

  it('SIGTERM mid-run stops sending, bills what was sent and exits 0', async () => {
    const id = unique();
    const run = runExample(main, [
      ...['--count', '1000000', '--rate', '100', '--port', '0'],
      ...['--stream', `EXAMPLE_${id}`, '--subject', `example.${id}.orders`],
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

describe('NATS JetStream example: bad input', () => {
  it('an unknown flag prints the usage and exits 2', async () => {
    const run = runExample(main, ['--bogus']);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output()).toMatch(/Unknown option '--bogus'[\s\S]*usage: /);
  });

  it('an unreachable server says what to start and exits 1', async () => {
    const port = await freePort();
    const run = runExample(main, ['--port', '0', '--url', `nats://127.0.0.1:${port}`]);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/cannot start: .*\n.*nats-server -js/);
  });
});
