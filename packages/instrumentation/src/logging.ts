import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * Trace and span ids of the active span as log fields, so a log line can be found from its trace and
 * the other way round. Made for pino's `mixin` option:
 *
 *     const logger = pino({ mixin: traceMixin });
 *
 * Outside a sampled span (or with no OpenTelemetry SDK registered) it adds nothing.
 */
export function traceMixin(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: context.traceFlags.toString(16).padStart(2, '0'),
  };
}
