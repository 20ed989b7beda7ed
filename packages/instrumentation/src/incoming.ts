import type { SpanContext } from '@opentelemetry/api';
import type { ConsumerSeries } from './consumer-series.js';
import { reportFault } from './faults.js';
import {
  defaultCarrierReader,
  isValidTracestate,
  parseEpochMillis,
  parseTraceparent,
  plausibleEpochMillis,
  withTracestate,
} from './propagation.js';
import type { SignalStore } from './store.js';
import { type CarrierReader, type HandlerOptions, headerNames } from './types.js';

/**
 * What an incoming message says about where it came from: its producer's span context, its creation
 * time and its pipeline's origin time. Reading it records the event's age (and pipeline age) and
 * counts malformed values; it never throws.
 */
export interface IncomingContext {
  /** The producer's span context, when the message carried a valid `traceparent`. */
  parent: SpanContext | undefined;
  /** The pipeline's origin (epoch ms) to run the handler in, when pipeline age is on and known. */
  origin: number | undefined;
}

export class IncomingReader {
  private readonly reader: CarrierReader<unknown, unknown>;
  private readonly createdAt: ((message: unknown) => number | undefined) | undefined;
  private readonly wallClock: () => number;
  private readonly pipeline: boolean;

  constructor(
    options: HandlerOptions,
    private readonly store: SignalStore,
  ) {
    this.reader = options.carrier ?? defaultCarrierReader;
    this.createdAt = options.createdAt;
    this.wallClock = options.wallClock ?? Date.now;
    this.pipeline = options.pipelineAge === true;
  }

  /**
   * Read one message into `out` (reused by the caller, so the hot path allocates nothing) and record
   * its ages into `series`.
   */
  read(message: unknown, series: ConsumerSeries, out: IncomingContext): void {
    out.parent = undefined;
    out.origin = undefined;
    let created: number | undefined;
    // A broker timestamp, when the option reads one, wins over the header; absent, the header counts.
    let createdRead = false;
    if (this.createdAt !== undefined) {
      try {
        const value = this.createdAt(message);
        if (value !== undefined) {
          createdRead = true;
          created = plausibleEpochMillis(value);
          if (created === undefined) series.propagationError('creation_time');
        }
      } catch (error) {
        reportFault('carrier', error, this.store);
        series.propagationError('creation_time');
        createdRead = true;
      }
    }
    let carrier: unknown;
    try {
      carrier = this.reader.carrier(message);
    } catch (error) {
      reportFault('carrier', error, this.store);
      series.propagationError('carrier');
    }
    let origin: number | undefined;
    if (carrier !== undefined && carrier !== null) {
      try {
        const get = this.reader.get;
        const traceparent = get(carrier, headerNames.traceparent);
        if (traceparent !== undefined) {
          let parent = parseTraceparent(traceparent);
          if (parent === undefined) series.propagationError('traceparent');
          else {
            const tracestate = get(carrier, headerNames.tracestate);
            if (tracestate !== undefined) {
              if (isValidTracestate(tracestate)) parent = withTracestate(parent, tracestate);
              else series.propagationError('tracestate');
            }
          }
          out.parent = parent;
        }
        if (!createdRead) {
          const header = get(carrier, headerNames.created);
          if (header !== undefined) {
            created = parseEpochMillis(header);
            if (created === undefined) series.propagationError('creation_time');
          }
        }
        if (this.pipeline) {
          const header = get(carrier, headerNames.origin);
          if (header !== undefined) {
            origin = parseEpochMillis(header);
            if (origin === undefined) series.propagationError('origin_time');
          }
        }
      } catch (error) {
        reportFault('carrier', error, this.store);
        series.propagationError('carrier');
      }
    }
    if (created === undefined && origin === undefined) return;
    const now = this.wallClock();
    if (created !== undefined) {
      let age = now - created;
      if (age < 0) {
        series.clockSkewed();
        age = 0;
      }
      series.eventAge.observe(age / 1000);
    }
    if (this.pipeline) {
      // The first hop has no origin header: its own creation time is where the pipeline starts.
      const start = origin ?? created!;
      series.pipelineAge.observe(Math.max(0, now - start) / 1000);
      out.origin = start;
    }
  }
}
