#!/usr/bin/env node
import { parseRunOptions, UsageError, usage } from './command-line.js';
import { startRabbitOrders } from './rabbitmq-orders.js';
import { runOrderFlow } from './run.js';

/**
 * Orders through RabbitMQ, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url amqp://guest:guest@127.0.0.1:5672] [--queue orders] [--group billing] [--prefetch 50]
 */
const brokerFlags = {
  url: { default: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672', help: 'broker ($AMQP_URL)' },
  queue: { default: 'orders', help: 'queue, declared and deleted' },
  group: { default: 'billing', help: 'consumer group label of the consumer' },
  prefetch: { default: '50', help: 'unacknowledged deliveries at a time' },
};
const command = 'node dist/main.js';

/** host:port of an AMQP URL, without the credentials it may carry. */
function brokerAddress(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the --url given';
  }
}

try {
  const options = parseRunOptions(process.argv.slice(2), brokerFlags);
  if (!options) {
    process.stdout.write(`${usage(command, brokerFlags)}\n`);
  } else {
    const { url, queue, group, prefetch } = options.broker as Record<keyof typeof brokerFlags, string>;
    if (!(Number.isInteger(Number(prefetch)) && Number(prefetch) > 0)) {
      throw new UsageError(`--prefetch must be a positive whole number, got "${prefetch}"`);
    }
    process.exitCode = await runOrderFlow(
      'eventscope RabbitMQ example',
      options,
      () => startRabbitOrders({ url, queue, consumerGroup: group, prefetch: Number(prefetch) }),
      `is RabbitMQ running at ${brokerAddress(url)}? start it with: rabbitmq-server`,
    );
  }
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n${usage(command, brokerFlags)}\n`);
  process.exitCode = 2;
}
