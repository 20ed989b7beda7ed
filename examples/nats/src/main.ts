#!/usr/bin/env node
import { runOrderExample } from '@eventscope/example-order-kit';
import { startJetStreamOrders } from './jetstream-orders.js';

/**
 * Orders through NATS JetStream, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url nats://127.0.0.1:4222] [--stream ORDERS] [--subject orders.created] [--consumer billing]
 */
process.exitCode = await runOrderExample({
  title: 'eventscope NATS JetStream example',
  brokerFlags: {
    url: { default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', help: 'NATS server ($NATS_URL)' },
    stream: { default: 'ORDERS', help: 'JetStream stream, created and removed' },
    subject: { default: 'orders.created', help: 'subject orders are published on' },
    consumer: { default: 'billing', help: 'durable consumer that bills them' },
  },
  start: (broker) => startJetStreamOrders(broker),
  brokerHint: ({ url }) =>
    `is nats-server running with JetStream at ${url}? start one with: nats-server -js -a 127.0.0.1`,
});
