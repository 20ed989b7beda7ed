import type { Link, Span } from '@opentelemetry/api';
import {
  type ConsumerSetup,
  ContextualCall,
  callInContext,
  finishConsumed,
  observeResult,
  startProcessSpan,
} from './consumer.js';
import type { ConsumerSeries } from './consumer-series.js';
import { reportFault } from './faults.js';
import type { IncomingContext } from './incoming.js';

/**
 * One call of a wrapped consumer, the same for a single-event handler and a batch handler: the
 * start time; the begin step of its kind (read the message, or each message of the batch: record
 * ages, count in-flight, start the span); the user's handler with the caller's own `arguments`;
 * the outcome. The kind is fixed at wrap time. The single-event step is written inline, so the
 * per-event path has no call and no result object; a batch's runs once per batch, in a function of
 * its own. (Handing `arguments` to a shared function instead materialises it: 56 bytes per event.)
 */

/** The messages of one batch argument; `undefined` for a single-event handler. */
export type MessagesOf = ((batch: unknown) => readonly unknown[]) | undefined;

/** What a batch's begin step found, besides the series it returns. One per wrapper, read out at once. */
interface BatchStart {
  count: number;
  span: Span | undefined;
  traceId: string | undefined;
  origin: number | undefined;
}

// Filled by IncomingReader.read and copied out at once: the hot path allocates no result object.
const incoming: IncomingContext = { parent: undefined, origin: undefined };
const NO_MESSAGES: readonly unknown[] = Object.freeze([]);

/**
 * The function `instrumentHandler` (`messagesOf` undefined) and `instrumentBatchHandler` return.
 * Returns, throws and rejects exactly as the handler does.
 */
export function wrapConsumer(
  handler: (...args: unknown[]) => unknown,
  setup: ConsumerSetup,
  messagesOf: MessagesOf,
): (this: unknown, ...args: unknown[]) => unknown {
  const { clock, messageIndex } = setup;
  const batchStart: BatchStart = { count: 0, span: undefined, traceId: undefined, origin: undefined };
  return function (this: unknown): unknown {
    const start = clock();
    // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
    const argument = arguments[messageIndex];
    let series: ConsumerSeries;
    let count = 1;
    let span: Span | undefined;
    let traceId: string | undefined;
    let origin: number | undefined;
    if (messagesOf === undefined) {
      // One event: its span is a child of the producer's.
      series = setup.destinations.get(argument);
      series.inFlight.add(1);
      if (series.labelOverflow !== undefined) series.labelOverflow.add(1);
      setup.incoming.read(argument, series, incoming);
      const parent = incoming.parent;
      origin = incoming.origin;
      span = startProcessSpan(setup, series, parent, undefined, 1);
      traceId = span === undefined ? parent?.traceId : span.spanContext().traceId;
    } else {
      series = beginBatch(setup, messagesOf, argument, batchStart);
      ({ count, span, traceId, origin } = batchStart);
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
}

/**
 * A batch: ages and counts per message, one span linked to each producer's span. The destination
 * (when a function) is read from the first message.
 */
function beginBatch(
  setup: ConsumerSetup,
  messagesOf: (batch: unknown) => readonly unknown[],
  batch: unknown,
  started: BatchStart,
): ConsumerSeries {
  let messages = NO_MESSAGES;
  try {
    const found = messagesOf(batch);
    if (Array.isArray(found)) messages = found;
  } catch (fault) {
    reportFault('carrier', fault, setup.store);
  }
  const count = messages.length;
  const series = setup.destinations.get(messages[0]);
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
  const span = startProcessSpan(setup, series, undefined, links, count);
  started.count = count;
  started.origin = origin;
  started.span = span;
  started.traceId = span?.spanContext().traceId;
  return series;
}
