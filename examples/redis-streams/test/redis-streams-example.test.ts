import { fileURLToPath } from 'node:url';
import {
  describeOrderExampleLifecycle,
  everyOrderOnce,
  sendAndBill,
  uniqueSuffix,
} from '@eventscope/example-order-kit/testing';
import { needService } from '@eventscope/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const available = await needService('Redis', 6379, 'redis-server --bind 127.0.0.1');

describe.skipIf(!available)('Redis Streams example against redis-server on 127.0.0.1:6379', () => {
  it('sends and bills every order; /metrics counts each exactly once; exits 0 by itself and deletes its stream', async () => {
    const stream = `example:orders:${uniqueSuffix()}`;
    const N = 500;
    const run = await sendAndBill(main, N, ['--stream', stream, '--group', 'billing'], {
      system: 'redis',
      destination: stream,
      group: 'billing',
    });

    expect(run).toMatchObject(everyOrderOnce(N));
    expect(run.signals.acks).toBe(N);

    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      expect(await redis.exists(stream)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

describeOrderExampleLifecycle({
  name: 'Redis Streams example',
  main,
  brokerAvailable: available,
  ownNames: () => ['--stream', `example:orders:${uniqueSuffix()}`],
  unreachableUrl: (port) => `redis://127.0.0.1:${port}`,
  unreachableMessage: /cannot start: .*ECONNREFUSED.*\n.*redis-server/,
});
