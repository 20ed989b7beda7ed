#!/usr/bin/env node
import { runOrderExample } from '@eventscope/example-order-kit';
import { startMqttOrders } from './mqtt-orders.js';

/**
 * Orders through an MQTT 5 broker, instrumented, with /metrics on 127.0.0.1:
 *   node dist/main.js [--count 1000] [--duration S] [--rate 200] [--port 9464] [--linger S]
 *     [--url mqtt://127.0.0.1:1883] [--topic shop/orders] [--group billing]
 */
process.exitCode = await runOrderExample({
  title: 'eventscope MQTT example',
  brokerFlags: {
    url: { default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883', help: 'broker ($MQTT_URL)' },
    topic: { default: 'shop/orders', help: 'topic orders are published on' },
    group: { default: 'billing', help: 'shared-subscription group that bills them' },
  },
  start: (broker, { run }) => startMqttOrders({ ...broker, run }),
  brokerHint: ({ url }) => `is an MQTT 5 broker running at ${url}? start one with: mosquitto -p 1883`,
});
