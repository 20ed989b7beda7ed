import { ConsumerSetup } from './consumer.js';
import { wrapConsumer } from './consumer-call.js';
import { keepIdentity } from './identity.js';
import type { BatchHandlerOptions } from './types.js';

const NO_MESSAGES: readonly unknown[] = Object.freeze([]);

function defaultMessages(batch: unknown): readonly unknown[] {
  if (Array.isArray(batch)) return batch;
  const messages = (batch as { messages?: unknown } | null | undefined)?.messages;
  return Array.isArray(messages) ? messages : NO_MESSAGES;
}

/**
 * Wrap a handler that receives a batch of messages (KafkaJS `eachBatch`, a NATS `fetch`, an array):
 *
 *     consumer.run({ eachBatch: instrumentBatchHandler(handleBatch, { system: 'kafka', destination: 'orders' }) });
 *
 * Per message: event and pipeline age, the consumed count. Per batch: processing time, the batch
 * size (`messaging.batch.message_count`) and one CONSUMER span linked to each message's producer
 * span. The destination (when a function) is read from the batch's first message. Behaviour passes
 * through exactly as with `instrumentHandler`.
 */
export function instrumentBatchHandler<F extends (...args: any[]) => any, B = Parameters<F>[0], M = any>(
  handler: F,
  options: BatchHandlerOptions<B, M>,
): F {
  if (typeof handler !== 'function') {
    throw new TypeError(`instrumentBatchHandler: handler must be a function, got ${typeof handler}`);
  }
  const setup = new ConsumerSetup(options, true, 'instrumentBatchHandler');
  const messagesOf = (options.messages ?? defaultMessages) as (batch: unknown) => readonly unknown[];
  const instrumented = wrapConsumer(handler, setup, messagesOf);
  return keepIdentity(instrumented, handler);
}
