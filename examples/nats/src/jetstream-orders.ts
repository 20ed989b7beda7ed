import { decodeOrder, encodeOrder, Ledger, type OrderFlow } from '@eventscope/example-order-kit';
import { instrumentJetStream, instrumentJetStreamHandler } from '@eventscope/instrumentation/nats';
import { AckPolicy, connect, type JsMsg } from 'nats';

export interface JetStreamOrdersOptions {
  /** NATS server URL; the server must run with JetStream (`nats-server -js`). */
  url: string;
  /** The stream the example creates for its orders, and removes when it stops. */
  stream: string;
  /** The subject orders are published on. */
  subject: string;
  /** The durable consumer billing reads through: `messaging.consumer.group.name`. */
  consumer: string;
}

/**
 * Orders through NATS JetStream. The two instrumented lines are `instrumentJetStream(js)` (every
 * publish: trace context and creation time in the NATS headers, sent count and duration) and
 * `instrumentJetStreamHandler(bill)` (every delivery: processing time, consumed count, event age
 * from the JetStream timestamp, the ack as a settle).
 */
export async function startJetStreamOrders(options: JetStreamOrdersOptions): Promise<OrderFlow> {
  const nc = await connect({ servers: options.url, name: 'eventscope-example-nats' });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: options.stream, subjects: [options.subject] });
    await jsm.consumers.add(options.stream, {
      durable_name: options.consumer,
      ack_policy: AckPolicy.Explicit,
    });
    const js = instrumentJetStream(nc.jetstream());

    const ledger = new Ledger();
    const bill = (message: JsMsg) => {
      ledger.bill(decodeOrder(message.string()));
      message.ack();
    };
    const consumer = await js.consumers.get(options.stream, options.consumer);
    const deliveries = await consumer.consume({
      callback: instrumentJetStreamHandler(bill, { consumerGroup: options.consumer }),
    });

    return {
      route: `stream ${options.stream}, subject ${options.subject}, consumer ${options.consumer}`,
      publish: (order) => js.publish(options.subject, encodeOrder(order)),
      ledger,
      close: async () => {
        await deliveries.close();
        await jsm.streams.delete(options.stream);
        await nc.drain();
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
