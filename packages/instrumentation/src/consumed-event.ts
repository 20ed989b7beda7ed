import type { Span } from '@opentelemetry/api';
import type { ConsumerSeries } from './consumer-series.js';
import { errorType } from './error-type.js';
import { reportFault } from './faults.js';
import { recordEventInterval } from './runtime/attribution.js';
import { isPromise, passThrough, thenOf, watchThenable } from './settlement.js';
import type { SignalStore } from './store.js';
import { endSpan } from './tracing.js';

/**
 * One consumed event — or batch of events — from the call of its handler to its outcome: the series
 * it records into, when it started, how many events it is, its span and trace, and the pipeline
 * origin its handler runs in. The wrapper fills one when a call begins and hands it to whatever
 * learns the outcome: the catch of a throwing handler, or observeResult, which keeps it in the
 * callbacks on the handler's promise. That one records the event with `succeeded()` or
 * `failed(error)`.
 *
 * Records are reused (see ConsumedEventPool): an event in flight holds its own, a finished one goes
 * back to its wrapper's spares. So recording an event allocates nothing for it, whether its outcome
 * is known at once or later, and the promise callbacks keep one reference instead of each value.
 */
export class ConsumedEvent {
  series!: ConsumerSeries;
  /** When the call began, on the wrapper's clock (ms). */
  start = Number.NaN;
  /** When the handler's synchronous part returned, for an outcome that came later; NaN when at once. */
  syncEnd = Number.NaN;
  /** Events it stands for: 1, or a batch's size. */
  count = 1;
  span: Span | undefined = undefined;
  traceId: string | undefined = undefined;
  /** The pipeline's origin (epoch ms) the handler runs in, when pipeline age is on and known. */
  origin: number | undefined = undefined;

  constructor(readonly pool: ConsumedEventPool) {}

  /** The handler returned (or its result fulfilled): record the event. Never throws. */
  succeeded(): void {
    this.finish(false, undefined);
  }

  /** The handler threw `error` (or its result rejected with it): record the event. Never throws. */
  failed(error: unknown): void {
    this.finish(true, error);
  }

  private finish(failed: boolean, error: unknown): void {
    const { pool, series, start, syncEnd, count, span, traceId } = this;
    pool.recycle(this);
    try {
      const end = pool.clock();
      const seconds = (end - start) / 1000;
      series.inFlight.add(-count);
      let failure: string | undefined;
      if (failed) failure = recordFailure(series, seconds, count, error);
      else {
        series.duration.observe(seconds);
        series.consumed.add(count);
      }
      recordEventInterval(series.attribution, start, end, traceId, Number.isNaN(syncEnd) ? end : syncEnd);
      if (span !== undefined) endSpan(span, failure, error);
    } catch (fault) {
      reportFault('handler', fault, pool.store);
    }
  }
}

/**
 * A failed event's duration and count, under its `error.type`, which it returns. A function of its
 * own to keep `finish` small: the compiler then inlines all of the success path into the wrapper.
 */
function recordFailure(series: ConsumerSeries, seconds: number, count: number, error: unknown): string {
  const failure = errorType(error);
  const failed = series.failure(failure);
  failed.duration.observe(seconds);
  failed.consumed.add(count);
  series.failed.add(1);
  return failure;
}

/** Spare records kept per wrapper: as many events as one wrapper usually has in flight, and more. */
const MAX_SPARE = 64;

/** One wrapper's event records, with its clock and store. */
export class ConsumedEventPool {
  // A stack in a fixed array: records at [0, spareCount) are spare, any after are stale and unread.
  private readonly spare: ConsumedEvent[] = [];
  private spareCount = 0;

  constructor(
    readonly clock: () => number,
    readonly store: SignalStore,
  ) {}

  /** A record for an event that begins now: a spare one, or a new one when every record is in flight. */
  begin(series: ConsumerSeries, count: number): ConsumedEvent {
    const event = this.spareCount > 0 ? this.spare[--this.spareCount]! : new ConsumedEvent(this);
    if (event.series !== series) event.series = series; // a fixed destination: always the same
    event.count = count;
    return event;
  }

  /**
   * Take a finished event's record back. A spare record is clean — no sync end, span, trace or
   * origin — so that a call writes only what its event has, and it holds nothing that could keep
   * memory alive. (Cleared unconditionally: checking first makes `finish` too large for the
   * compiler to inline all of it, and a start or end time is then boxed, 16 bytes each.)
   */
  recycle(event: ConsumedEvent): void {
    event.syncEnd = Number.NaN;
    event.span = undefined;
    event.traceId = undefined;
    event.origin = undefined;
    if (this.spareCount < MAX_SPARE) this.spare[this.spareCount++] = event;
  }
}

/**
 * What the caller gets back: a plain result as it is, recorded now; a promise as a promise of its
 * class that settles the same way once the event is recorded; another thenable as it is, watched
 * until it settles (see settlement.ts).
 */
export function observeResult(event: ConsumedEvent, result: unknown): unknown {
  if (isPromise(result)) {
    const returned = recordWhenSettled(event, result);
    if (returned !== undefined) return returned;
  }
  const then = thenOf(result, event.pool.store);
  if (then === undefined) {
    event.succeeded();
    return result;
  }
  event.syncEnd = event.pool.clock();
  watchThenable(
    result,
    then,
    () => event.succeeded(),
    (error) => event.failed(error),
  );
  return result;
}

/**
 * The async hot path: two closures over the event, nothing else allocated. A function of its own
 * so that the closures' context is only created for promises, never on the sync path.
 */
function recordWhenSettled(event: ConsumedEvent, result: Promise<unknown>): Promise<unknown> | undefined {
  event.syncEnd = event.pool.clock();
  return passThrough(
    result,
    (value) => {
      event.succeeded();
      return value;
    },
    (error) => {
      event.failed(error);
      throw error;
    },
  );
}
