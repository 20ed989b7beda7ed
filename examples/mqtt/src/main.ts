#!/usr/bin/env node
import { parseRunOptions, UsageError, usage } from './command-line.js';
import { startMqttOrders } from './mqtt-orders.js';
import { runOrderFlow } from './run.js';

/**
 * Orders through an MQTT 5 broker, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url mqtt://127.0.0.1:1883] [--topic shop/orders] [--group billing]
 */
const brokerFlags = {
  url: { default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883', help: 'broker ($MQTT_URL)' },
  topic: { default: 'shop/orders', help: 'topic orders are published on' },
  group: { default: 'billing', help: 'shared-subscription group that bills them' },
};
const command = 'node dist/main.js';

try {
  const options = parseRunOptions(process.argv.slice(2), brokerFlags);
  if (!options) {
    process.stdout.write(`${usage(command, brokerFlags)}\n`);
  } else {
    const { url, topic, group } = options.broker as Record<keyof typeof brokerFlags, string>;
    process.exitCode = await runOrderFlow(
      'eventscope MQTT example',
      options,
      () => startMqttOrders({ url, topic, group, run: options.run }),
      `is an MQTT 5 broker running at ${url}? start one with: mosquitto -p 1883`,
    );
  }
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n${usage(command, brokerFlags)}\n`);
  process.exitCode = 2;
}
