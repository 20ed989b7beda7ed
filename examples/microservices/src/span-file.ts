import { appendFileSync } from 'node:fs';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** One finished span as a line of JSON: enough to follow a trace across processes. */
export interface SpanRecord {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  destination?: string;
}

/**
 * Appends finished spans to a file, one JSON object per line. Stands in for a tracing backend:
 * three processes write to the same file and a trace can be followed from ingest to store.
 */
export class SpanFileExporter implements SpanExporter {
  constructor(
    private readonly path: string,
    private readonly service: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      const lines = spans.map((span) => {
        const context = span.spanContext();
        const record: SpanRecord = {
          service: this.service,
          name: span.name,
          kind: span.kind,
          traceId: context.traceId,
          spanId: context.spanId,
          ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
          ...(typeof span.attributes['messaging.destination.name'] === 'string'
            ? { destination: span.attributes['messaging.destination.name'] }
            : {}),
        };
        return `${JSON.stringify(record)}\n`;
      });
      // One append per batch: lines from the three processes never interleave mid-line.
      appendFileSync(this.path, lines.join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
