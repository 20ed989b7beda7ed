#!/usr/bin/env node
import { parseRunOptions, UsageError, usage } from './command-line.js';
import { startRedisOrders } from './redis-orders.js';
import { runOrderFlow } from './run.js';

/**
 * Orders through a Redis stream, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url redis://127.0.0.1:6379] [--stream orders] [--group billing] [--consumer billing-1]
 */
const brokerFlags = {
  url: { default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', help: 'Redis server ($REDIS_URL)' },
  stream: { default: 'orders', help: 'stream key, created and deleted' },
  group: { default: 'billing', help: 'consumer group' },
  consumer: { default: 'billing-1', help: 'consumer name within the group' },
};
const command = 'node dist/main.js';

try {
  const options = parseRunOptions(process.argv.slice(2), brokerFlags);
  if (!options) {
    process.stdout.write(`${usage(command, brokerFlags)}\n`);
  } else {
    const { url, stream, group, consumer } = options.broker as Record<keyof typeof brokerFlags, string>;
    process.exitCode = await runOrderFlow(
      'eventscope Redis Streams example',
      options,
      () => startRedisOrders({ url, stream, group, consumer }),
      `is redis-server running at ${url}? start one with: redis-server --bind 127.0.0.1`,
    );
  }
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n${usage(command, brokerFlags)}\n`);
  process.exitCode = 2;
}
