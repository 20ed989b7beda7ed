#!/usr/bin/env node
import { runOrderExample } from '@eventscope/example-order-kit';
import { startRedisOrders } from './redis-orders.js';

/**
 * Orders through a Redis stream, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url redis://127.0.0.1:6379] [--stream orders] [--group billing] [--consumer billing-1]
 */
process.exitCode = await runOrderExample({
  title: 'eventscope Redis Streams example',
  brokerFlags: {
    url: { default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', help: 'Redis server ($REDIS_URL)' },
    stream: { default: 'orders', help: 'stream key, created and deleted' },
    group: { default: 'billing', help: 'consumer group' },
    consumer: { default: 'billing-1', help: 'consumer name within the group' },
  },
  start: (broker) => startRedisOrders(broker),
  brokerHint: ({ url }) => `is redis-server running at ${url}? start one with: redis-server --bind 127.0.0.1`,
});
