import { fileURLToPath } from 'node:url';
import {
  describeOrderExampleLifecycle,
  everyOrderOnce,
  sendAndBill,
  uniqueSuffix,
} from '@eventscope/example-order-kit/testing';
import { needService } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const available = await needService('Mosquitto', 1883, 'mosquitto -p 1883');

describe.skipIf(!available)('MQTT example against Mosquitto on 127.0.0.1:1883', () => {
  it('sends and bills every order; /metrics counts each exactly once, with MQTT 5 properties; exits 0 by itself', async () => {
    const topic = `example/orders/${uniqueSuffix()}`;
    const N = 500;
    const run = await sendAndBill(main, N, ['--topic', topic, '--group', 'billing'], {
      system: 'mqtt',
      destination: topic,
      group: 'billing',
    });

    expect(run).toMatchObject(everyOrderOnce(N));
    // MQTT 5 user properties carried the creation time and trace context of every order.
    expect(run.signals.propagationErrors).toBe(0);
  });
});

describeOrderExampleLifecycle({
  name: 'MQTT example',
  main,
  brokerAvailable: available,
  ownNames: () => ['--topic', `example/orders/${uniqueSuffix()}`],
  unreachableUrl: (port) => `mqtt://127.0.0.1:${port}`,
  unreachableMessage: /cannot start: .*ECONNREFUSED.*\n.*mosquitto/,
});
