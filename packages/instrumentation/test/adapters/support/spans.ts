import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** A real OpenTelemetry SDK with an in-memory exporter, registered globally for one test file. */
export function recordSpans(): {
  exporter: InMemorySpanExporter;
  /** Every span finished so far (the processor hands spans to the exporter asynchronously). */
  finished: () => Promise<ReadableSpan[]>;
  stop: () => Promise<void>;
} {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  return {
    exporter,
    finished: async () => {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    stop: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

const key = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/**
 * Pair every CONSUMER span with its parent PRODUCER span. Returns how many consumer spans have a
 * producer parent, and how many producer spans were parents of more than one consumer span.
 */
export function consumerParentage(spans: readonly ReadableSpan[], system: string) {
  const ofSystem = spans.filter((s) => s.attributes['messaging.system'] === system);
  const producers = new Set(
    ofSystem
      .filter((s) => s.kind === SpanKind.PRODUCER)
      .map((s) => key(s.spanContext().traceId, s.spanContext().spanId)),
  );
  const consumers = ofSystem.filter((s) => s.kind === SpanKind.CONSUMER);
  const parents = new Map<string, number>();
  let withProducerParent = 0;
  for (const span of consumers) {
    const parent = span.parentSpanContext;
    if (!parent) continue;
    const k = key(parent.traceId, parent.spanId);
    if (!producers.has(k)) continue;
    withProducerParent++;
    parents.set(k, (parents.get(k) ?? 0) + 1);
  }
  const sharedParents = [...parents.values()].filter((n) => n > 1).length;
  return { producers: producers.size, consumers: consumers.length, withProducerParent, sharedParents };
}
