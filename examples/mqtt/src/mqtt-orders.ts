import { decodeOrder, encodeOrder, Ledger, type OrderFlow } from '@eventscope/example-order-kit';
import { instrumentMqttClient } from '@eventscope/instrumentation/mqtt';
import { connectAsync, type MqttClient } from 'mqtt';

export interface MqttOrdersOptions {
  /** Broker URL. */
  url: string;
  /** The topic orders are published on. */
  topic: string;
  /** The shared-subscription group billing reads through: `messaging.consumer.group.name`. */
  group: string;
  /** Distinguishes this run's client ids on the broker. */
  run: string;
}

/**
 * Orders through an MQTT 5 broker, QoS 1. The two instrumented lines are the two
 * `instrumentMqttClient` calls: the producer's client (every publish: trace context and creation
 * time in MQTT 5 user properties, sent count and duration) and billing's client (every `message`
 * event: processing time, consumed count, event age; retransmissions as redeliveries). Billing
 * subscribes through a shared subscription (`$share/billing/…`), so more billing processes would
 * split the orders between them.
 */
export async function startMqttOrders(options: MqttOrdersOptions): Promise<OrderFlow> {
  const clients: MqttClient[] = [];
  const open = async (role: string) => {
    const client = await connectAsync(options.url, {
      protocolVersion: 5, // user properties carry the trace context; 3.1.1 has none
      clientId: `eventscope-example-${role}-${options.run}`,
      clean: true,
      reconnectPeriod: 1000,
    });
    client.on('error', (error) => process.stderr.write(`mqtt ${role}: ${error.message}\n`));
    clients.push(client);
    return client;
  };
  try {
    const producer = instrumentMqttClient(await open('shop'));
    const billing = instrumentMqttClient(await open('billing'), { consumerGroup: options.group });

    const ledger = new Ledger();
    billing.on('message', (_topic, payload) => {
      try {
        ledger.bill(decodeOrder(payload.toString()));
      } catch (error) {
        process.stderr.write(`skipping a message: ${(error as Error).message}\n`);
      }
    });
    const subscription = `$share/${options.group}/${options.topic}`;
    await billing.subscribeAsync(subscription, { qos: 1 });

    return {
      route: `topic ${options.topic}, shared subscription ${subscription}`,
      publish: (order) => producer.publishAsync(options.topic, encodeOrder(order), { qos: 1 }),
      ledger,
      close: async () => {
        await billing.unsubscribeAsync(subscription);
        await Promise.all(clients.map((client) => client.endAsync()));
      },
    };
  } catch (error) {
    await Promise.allSettled(clients.map((client) => client.endAsync(true)));
    throw error;
  }
}
