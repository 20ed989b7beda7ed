import type { Link, Span, SpanContext } from '@opentelemetry/api';
import { type ConsumedEvent, observeResult } from './consumed-event.js';
import type { ConsumerSetup } from './consumer.js';
import type { ConsumerSeries } from './consumer-series.js';
import { reportFault } from './faults.js';
import type { IncomingContext } from './incoming.js';
import { runInPipeline } from './pipeline.js';
import {
  carriesContext,
  sdkRegistered,
  startBatchSpan,
  startConsumerSpan,
  withActiveSpan,
} from './tracing.js';

/**
 * One call of a wrapped consumer, the same for a single-event handler and a batch handler: the
 * start time; the begin step of its kind (read the message, or each message of the batch: record
 * ages, count in-flight, start the span), which fills the event's record; the user's handler with
 * the caller's own `arguments`; the outcome, recorded from the record. The kind is fixed at wrap
 * time. The single-event step is written inline, so the per-event path makes no call for it; a
 * batch's runs once per batch, in a function of its own. (Handing `arguments` to a shared function
 * instead materialises it: 56 bytes per event.)
 */

/** The messages of one batch argument; `undefined` for a single-event handler. */
export type MessagesOf = ((batch: unknown) => readonly unknown[]) | undefined;

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
  return function (this: unknown): unknown {
    const start = clock();
    // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
    const argument = arguments[messageIndex];
    let event: ConsumedEvent;
    if (messagesOf === undefined) {
      // One event: ages and counts from its message, its span a child of the producer's.
      const series = setup.destinations.get(argument);
      series.inFlight.add(1);
      if (series.labelOverflow !== undefined) series.labelOverflow.add(1);
      setup.incoming.read(argument, series, incoming);
      event = setup.events.begin(series, 1);
      event.start = start;
      // A spare record has no trace, origin or span: only what this event has is written.
      const parent = incoming.parent;
      if (parent !== undefined) event.traceId = parent.traceId;
      if (incoming.origin !== undefined) event.origin = incoming.origin;
      const span = startProcessSpan(setup, series, parent, undefined, 1);
      if (span !== undefined) {
        event.span = span;
        event.traceId = span.spanContext().traceId;
      }
    } else {
      event = beginBatch(setup, messagesOf, argument, start);
    }
    let result: unknown;
    try {
      if (event.span === undefined && event.origin === undefined) {
        // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
        result = Reflect.apply(handler, this, arguments);
      } else {
        const call = new ContextualCall(handler, this, event.span, event.origin);
        // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
        result = Reflect.apply(callInContext, call, arguments);
      }
    } catch (error) {
      event.failed(error);
      throw error;
    }
    return observeResult(event, result);
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
  start: number,
): ConsumedEvent {
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
  const event = setup.events.begin(series, count);
  event.start = start;
  event.origin = origin;
  event.span = startProcessSpan(setup, series, undefined, links, count);
  event.traceId = event.span?.spanContext().traceId;
  return event;
}

/**
 * The CONSUMER span to run the handler in: for one event (`links` undefined) a child of the
 * producer's span `parent`, for a batch of `count` events one span linked to each producer's span.
 * Undefined with tracing off, with no SDK registered, or when the span carries no context onward.
 * Never throws.
 */
function startProcessSpan(
  setup: ConsumerSetup,
  series: ConsumerSeries,
  parent: SpanContext | undefined,
  links: Link[] | undefined,
  count: number,
): Span | undefined {
  if (!setup.tracing || !sdkRegistered()) return undefined;
  try {
    const started =
      links === undefined
        ? startConsumerSpan(series.span, parent)
        : startBatchSpan(series.span, links, count);
    return carriesContext(started) ? started : undefined;
  } catch (fault) {
    reportFault('tracing', fault, setup.store);
    return undefined;
  }
}

/** One call of the user's handler that runs inside a span and/or a pipeline origin. */
class ContextualCall {
  constructor(
    readonly handler: (...args: unknown[]) => unknown,
    readonly self: unknown,
    readonly span: Span | undefined,
    readonly origin: number | undefined,
  ) {}
}

/**
 * `Reflect.apply(callInContext, call, arguments)` runs the handler with the caller's arguments inside
 * the call's span and pipeline. Only reached when a span records or a pipeline origin is known, so the
 * plain path never materialises its arguments.
 */
function callInContext(this: ContextualCall, ...args: unknown[]): unknown {
  const { handler, self, span, origin } = this;
  const call = () => Reflect.apply(handler, self, args);
  const inSpan = span === undefined ? call : () => withActiveSpan(span, call);
  return origin === undefined ? inSpan() : runInPipeline(origin, inSpan);
}
