import type { Link, Span } from '@opentelemetry/api';
import { ConsumerSetup, ContextualCall, callInContext, finishConsumed, observeResult } from './consumer.js';
import { reportFault } from './faults.js';
import { keepIdentity } from './identity.js';
import type { IncomingContext } from './incoming.js';
import { carriesContext, sdkRegistered, startBatchSpan } from './tracing.js';
import type { BatchHandlerOptions } from './types.js';

const NO_MESSAGES: readonly unknown[] = Object.freeze([]);
const incoming: IncomingContext = { parent: undefined, origin: undefined };

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
  const { clock, tracing, messageIndex } = setup;

  const instrumented = function (this: unknown): unknown {
    const start = clock();
    let messages = NO_MESSAGES;
    try {
      // biome-ignore lint/complexity/noArguments: the handler's own arguments pass through untouched
      const found = messagesOf(arguments[messageIndex]);
      if (Array.isArray(found)) messages = found;
    } catch (fault) {
      reportFault('carrier', fault, setup.store);
    }
    const count = messages.length;
    const series = setup.seriesFor(messages[0]);
    series.inFlight.add(count);
    series.batchSize?.observe(count);
    if (series.labelOverflow !== undefined) series.labelOverflow.add(count);
    const links: Link[] = [];
    let origin: number | undefined;
    for (let i = 0; i < count; i++) {
      setup.incoming.read(messages[i], series, incoming);
      if (incoming.parent !== undefined) links.push({ context: incoming.parent });
      // A batch mixes pipelines; the oldest origin is the one its onward messages belong to.
      if (incoming.origin !== undefined && (origin === undefined || incoming.origin < origin)) {
        origin = incoming.origin;
      }
    }
    let span: Span | undefined;
    let traceId: string | undefined;
    if (tracing && sdkRegistered()) {
      try {
        const started = startBatchSpan(series.span, links, count);
        if (carriesContext(started)) {
          span = started;
          traceId = started.spanContext().traceId;
        }
      } catch (fault) {
        reportFault('tracing', fault, setup.store);
      }
    }
    let result: unknown;
    try {
      if (span === undefined && origin === undefined) {
        // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
        result = Reflect.apply(handler, this, arguments);
      } else {
        const call = new ContextualCall(handler, this, span, origin);
        // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
        result = Reflect.apply(callInContext, call, arguments);
      }
    } catch (error) {
      finishConsumed(setup, series, start, undefined, count, span, traceId, true, error);
      throw error;
    }
    return observeResult(setup, series, start, count, span, traceId, result);
  };
  return keepIdentity(instrumented, handler);
}
