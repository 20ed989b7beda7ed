import { decodeOrder, encodeOrder, Ledger, type OrderFlow } from '@eventscope/example-order-kit';
import { instrumentChannel } from '@eventscope/instrumentation/amqplib';
import { type ConsumeMessage, connect } from 'amqplib';

export interface RabbitOrdersOptions {
  /** AMQP URL of the broker. */
  url: string;
  /** The queue the example declares for its orders, and deletes when it stops. */
  queue: string;
  /** Who consumes: `messaging.consumer.group.name`. */
  consumerGroup: string;
  /** Unacknowledged deliveries the broker hands billing at a time. */
  prefetch: number;
}

/**
 * Orders through a RabbitMQ queue. The two instrumented lines are the two `instrumentChannel`
 * calls: the publishing channel (every `sendToQueue`: trace context and creation time in the
 * message headers, sent count and duration) and the consuming channel (every delivery:
 * processing time, consumed count, event age, redeliveries; every ack as a settle).
 */
export async function startRabbitOrders(options: RabbitOrdersOptions): Promise<OrderFlow> {
  const connection = await connect(options.url);
  // A connection closed by the broker emits 'error'; unheard, it would end the process.
  connection.on('error', (error: Error) => process.stderr.write(`rabbitmq: ${error.message}\n`));
  try {
    // Publisher confirms: an order counts as sent once the broker has taken responsibility for it.
    const publishing = instrumentChannel(await connection.createConfirmChannel());
    const consuming = instrumentChannel(await connection.createChannel(), {
      consumerGroup: options.consumerGroup,
    });
    await publishing.assertQueue(options.queue, { durable: true });
    await consuming.prefetch(options.prefetch);

    const ledger = new Ledger();
    const bill = (message: ConsumeMessage | null) => {
      if (!message) return; // the broker cancelled the consumer (queue deleted)
      try {
        ledger.bill(decodeOrder(message.content.toString()));
        consuming.ack(message);
      } catch {
        consuming.reject(message, false); // not an order: dead-letter it rather than loop
      }
    };
    const { consumerTag } = await consuming.consume(options.queue, bill);

    return {
      route: `queue ${options.queue}, consumer group ${options.consumerGroup}`,
      publish: (order) =>
        new Promise<void>((resolve, reject) => {
          publishing.sendToQueue(
            options.queue,
            Buffer.from(encodeOrder(order)),
            { persistent: true, contentType: 'application/json' },
            (error: unknown) => (error ? reject(error) : resolve()),
          );
        }),
      ledger,
      close: async () => {
        await consuming.cancel(consumerTag);
        await publishing.deleteQueue(options.queue);
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
