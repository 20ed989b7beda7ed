import { fileURLToPath } from 'node:url';
import {
  describeOrderExampleLifecycle,
  everyOrderOnce,
  runUntilDone,
  sendAndBill,
  uniqueSuffix,
} from '@eventscope/example-order-kit/testing';
import { needService } from '@eventscope/testkit';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const available = await needService('NATS', 4222, 'nats-server -js -a 127.0.0.1');
const ownNames = (id = uniqueSuffix()) => ['--stream', `EXAMPLE_${id}`, '--subject', `example.${id}.orders`];

describe.skipIf(!available)('NATS JetStream example against nats-server on 127.0.0.1:4222', () => {
  it('sends and bills every order; /metrics counts each exactly once; exits 0 by itself and removes its stream', async () => {
    const id = uniqueSuffix();
    const [stream, subject] = [`EXAMPLE_${id}`, `example.${id}.orders`];
    const N = 500;
    const run = await sendAndBill(main, N, [...ownNames(id), '--consumer', 'billing'], {
      system: 'nats',
      destination: subject,
      group: 'billing',
    });

    expect(run).toMatchObject(everyOrderOnce(N));
    expect(run.signals.acks).toBe(N);

    const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    try {
      const jsm = await nc.jetstreamManager();
      await expect(jsm.streams.info(stream)).rejects.toThrow(/stream not found/);
    } finally {
      await nc.close();
    }
  });

  it('--duration stops sending by itself, bills everything sent and exits 0', async () => {
    const run = await runUntilDone(main, ['--duration', '2', '--rate', '50', ...ownNames()]);
    // 2 s at 50/s: about 100, fewer when the machine is busy, never more.
    expect(run.sent).toBeGreaterThan(0);
    expect(run.sent).toBeLessThanOrEqual(101);
    expect(run.billed).toBe(run.sent);
    expect(run.exit).toEqual({ code: 0, signal: null });
  });
});

describeOrderExampleLifecycle({
  name: 'NATS JetStream example',
  main,
  brokerAvailable: available,
  ownNames,
  unreachableUrl: (port) => `nats://127.0.0.1:${port}`,
  unreachableMessage: /cannot start: .*\n.*nats-server -js/,
});
