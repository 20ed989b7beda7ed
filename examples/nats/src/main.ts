#!/usr/bin/env node
import { parseRunOptions, UsageError, usage } from './command-line.js';
import { startJetStreamOrders } from './jetstream-orders.js';
import { runOrderFlow } from './run.js';

/**
 * Orders through NATS JetStream, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url nats://127.0.0.1:4222] [--stream ORDERS] [--subject orders.created] [--consumer billing]
 */
const brokerFlags = {
  url: { default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', help: 'NATS server ($NATS_URL)' },
  stream: { default: 'ORDERS', help: 'JetStream stream, created and removed' },
  subject: { default: 'orders.created', help: 'subject orders are published on' },
  consumer: { default: 'billing', help: 'durable consumer that bills them' },
};
const command = 'node dist/main.js';

try {
  const options = parseRunOptions(process.argv.slice(2), brokerFlags);
  if (!options) {
    process.stdout.write(`${usage(command, brokerFlags)}\n`);
  } else {
    const { url, stream, subject, consumer } = options.broker as Record<keyof typeof brokerFlags, string>;
    process.exitCode = await runOrderFlow(
      'eventscope NATS JetStream example',
      options,
      () => startJetStreamOrders({ url, stream, subject, consumer }),
      `is nats-server running with JetStream at ${url}? start one with: nats-server -js -a 127.0.0.1`,
    );
  }
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n${usage(command, brokerFlags)}\n`);
  process.exitCode = 2;
}
