#!/usr/bin/env node
import { runOrderExample } from '@eventscope/example-order-kit';
import { startRabbitOrders } from './rabbitmq-orders.js';

/**
 * Orders through RabbitMQ, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url amqp://guest:guest@127.0.0.1:5672] [--queue orders] [--group billing] [--prefetch 50]
 */
process.exitCode = await runOrderExample({
  title: 'eventscope RabbitMQ example',
  brokerFlags: {
    url: { default: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672', help: 'broker ($AMQP_URL)' },
    queue: { default: 'orders', help: 'queue, declared and deleted' },
    group: { default: 'billing', help: 'consumer group label of the consumer' },
    prefetch: {
      default: '50',
      help: 'unacknowledged deliveries at a time',
      mustBe: { what: 'a positive whole number', test: (n) => Number.isInteger(Number(n)) && Number(n) > 0 },
    },
  },
  start: ({ url, queue, group, prefetch }) =>
    startRabbitOrders({ url, queue, consumerGroup: group, prefetch: Number(prefetch) }),
  brokerHint: ({ url }) => `is RabbitMQ running at ${brokerAddress(url)}? start it with: rabbitmq-server`,
});

/** host:port of an AMQP URL, without the credentials it may carry. */
function brokerAddress(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the --url given';
  }
}
