import { fileURLToPath } from 'node:url';
import {
  describeOrderExampleLifecycle,
  everyOrderOnce,
  sendAndBill,
  uniqueSuffix,
} from '@eventscope/example-order-kit/testing';
import { needService } from '@eventscope/testkit';
import { connect } from 'amqplib';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const available = await needService('RabbitMQ', 5672, 'rabbitmq-server (guest/guest)');

describe.skipIf(!available)('RabbitMQ example against rabbitmq-server on 127.0.0.1:5672', () => {
  it('sends and bills every order; /metrics counts each exactly once; exits 0 by itself and deletes its queue', async () => {
    const queue = `example.orders.${uniqueSuffix()}`;
    const N = 500;
    const run = await sendAndBill(main, N, ['--queue', queue, '--group', 'billing'], {
      system: 'rabbitmq',
      destination: queue,
      group: 'billing',
    });

    expect(run).toMatchObject(everyOrderOnce(N));
    expect(run.signals.acks).toBe(N);

    const connection = await connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => {}); // a failed check closes the channel
      await expect(channel.checkQueue(queue)).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await connection.close();
    }
  });
});

describeOrderExampleLifecycle({
  name: 'RabbitMQ example',
  main,
  brokerAvailable: available,
  ownNames: () => ['--queue', `example.orders.${uniqueSuffix()}`],
  unreachableUrl: (port) => `amqp://guest:guest@127.0.0.1:${port}`,
  unreachableMessage: /cannot start: .*\n.*rabbitmq-server/,
});
