import { attributes } from '@eventscope/catalog';
import {
  type Attributes,
  context,
  isSpanContextValid,
  type Link,
  ProxyTracerProvider,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * Spans through `@opentelemetry/api` only. With no SDK registered the API hands out non-recording
 * spans for a few nanoseconds, and the wrappers then skip everything else: no context is entered, no
 * attribute is set. Span names and options are built once per (wrapper, destination).
 */

const tracer = trace.getTracer('@eventscope/instrumentation');
const NO_SDK = new ProxyTracerProvider().getDelegate();

/**
 * Whether a tracer provider (an SDK) is registered. Without one every span is non-recording, so the
 * wrappers skip even building the parent context: a global lookup instead of three allocations.
 */
export function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NO_SDK);
}

/**
 * Whether a started span must be made active around the handler or send: it records, or it was
 * sampled out but its context (flags 00) must still reach onward messages, so that downstream
 * services honour the sampling decision instead of starting traces of their own.
 */
export function carriesContext(span: Span): boolean {
  return span.isRecording() || isSpanContextValid(span.spanContext());
}

/** `messaging.batch.message_count` (messaging semantic conventions). */
const BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';

/** A span's name and options, resolved once per (wrapper, destination). */
export interface SpanTemplate {
  readonly name: string;
  readonly options: SpanOptions;
}

/** `{operation} {destination}`, as the messaging conventions name spans. */
export function spanTemplate(kind: SpanKind, operation: string, spanAttributes: Attributes): SpanTemplate {
  const destination = spanAttributes[attributes.destination];
  const name =
    typeof destination === 'string' && destination !== '' ? `${operation} ${destination}` : operation;
  return { name, options: { kind, attributes: spanAttributes } };
}

export const consumerKind = SpanKind.CONSUMER;
export const producerKind = SpanKind.PRODUCER;

/** A CONSUMER span for one event, the producer's context (if the message carried one) as parent. */
export function startConsumerSpan(template: SpanTemplate, parent: SpanContext | undefined): Span {
  const parentContext = parent === undefined ? undefined : trace.setSpanContext(context.active(), parent);
  return tracer.startSpan(template.name, template.options, parentContext);
}

/** A CONSUMER span for a batch, linked to each message's creation context. */
export function startBatchSpan(template: SpanTemplate, links: Link[], messageCount: number): Span {
  const options: SpanOptions = {
    kind: template.options.kind ?? SpanKind.CONSUMER,
    attributes: { ...template.options.attributes, [BATCH_MESSAGE_COUNT]: messageCount },
    links,
  };
  return tracer.startSpan(template.name, options);
}

/** A PRODUCER span per send, a child of whatever is active (an instrumented consumer's span). */
export function startProducerSpan(template: SpanTemplate): Span {
  return tracer.startSpan(template.name, template.options);
}

/** Run `fn` with `span` active, so spans and logs inside the handler belong to it. */
export function withActiveSpan<R>(span: Span, fn: () => R): R {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** End a span, marking it failed (status ERROR, `error.type`) when the call failed. */
export function endSpan(span: Span, failure: string | undefined, error: unknown): void {
  try {
    if (failure !== undefined && span.isRecording()) {
      span.setAttribute(attributes.errorType, failure);
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? String(error.message) : undefined,
      });
    }
  } finally {
    // An error whose getters throw must not leave the span open.
    span.end();
  }
}
