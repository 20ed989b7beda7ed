import type { Link, Span, SpanContext } from '@opentelemetry/api';
import { monotonicClock } from './clock.js';
import { ConsumerSeries } from './consumer-series.js';
import { SeriesByDestination } from './destinations.js';
import { errorType } from './error-type.js';
import { reportFault } from './faults.js';
import { IncomingReader } from './incoming.js';
import { runInPipeline } from './pipeline.js';
import { recordEventInterval } from './runtime/attribution.js';
import { isPromise, passThrough, thenOf, watchThenable } from './settlement.js';
import type { SignalStore } from './store.js';
import {
  carriesContext,
  endSpan,
  sdkRegistered,
  startBatchSpan,
  startConsumerSpan,
  withActiveSpan,
} from './tracing.js';
import type { HandlerOptions } from './types.js';
import { prepareWrapper } from './wrapper-setup.js';

/**
 * What single-event and batch consumer wrappers share: options resolved at wrap time, the series per
 * destination, running the user's handler (in its span and pipeline when there is one), and recording
 * the outcome. Nothing here throws into the user's code.
 */

const DEFAULT_SLOW_THRESHOLD_MS = 100;

export class ConsumerSetup {
  readonly store: SignalStore;
  readonly clock: () => number;
  readonly tracing: boolean;
  readonly messageIndex: number;
  readonly incoming: IncomingReader;
  /** The series for a message's destination (`destinations.get(message)`); resolved once per destination. */
  readonly destinations: SeriesByDestination<unknown, ConsumerSeries>;

  constructor(options: HandlerOptions, batch: boolean, wrapper: string) {
    this.store = prepareWrapper(options, wrapper);
    this.clock = options.clock ?? monotonicClock;
    this.tracing = options.tracing !== false;
    this.messageIndex = options.messageArgument ?? 0;
    this.incoming = new IncomingReader(options, this.store);
    const slowThreshold = options.slowThreshold ?? DEFAULT_SLOW_THRESHOLD_MS;
    const create = (destination: string) =>
      new ConsumerSeries(
        this.store,
        {
          system: options.system,
          destination,
          consumerGroup: options.consumerGroup ?? '',
          operationName: options.operationName ?? 'process',
        },
        slowThreshold,
        batch,
      );
    this.destinations = new SeriesByDestination(options.destination, this.store, create);
  }
}

/** One call of the user's handler that runs inside a span and/or a pipeline origin. */
export class ContextualCall {
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
export function callInContext(this: ContextualCall, ...args: unknown[]): unknown {
  const { handler, self, span, origin } = this;
  const call = () => Reflect.apply(handler, self, args);
  const inSpan = span === undefined ? call : () => withActiveSpan(span, call);
  return origin === undefined ? inSpan() : runInPipeline(origin, inSpan);
}

/**
 * The CONSUMER span to run the handler in: for one event (`links` undefined) a child of the
 * producer's span `parent`, for a batch of `count` events one span linked to each producer's span.
 * Undefined with tracing off, with no SDK registered, or when the span carries no context onward.
 * Never throws.
 */
export function startProcessSpan(
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

/** Record a finished event (or batch of `count` events). Never throws. */
export function finishConsumed(
  setup: ConsumerSetup,
  series: ConsumerSeries,
  start: number,
  syncEnd: number | undefined,
  count: number,
  span: Span | undefined,
  traceId: string | undefined,
  failed: boolean,
  error: unknown,
): void {
  try {
    const end = setup.clock();
    const seconds = (end - start) / 1000;
    series.inFlight.add(-count);
    let failure: string | undefined;
    if (failed) {
      failure = errorType(error);
      const failedSeries = series.failure(failure);
      failedSeries.duration.observe(seconds);
      failedSeries.consumed.add(count);
    } else {
      series.duration.observe(seconds);
      series.consumed.add(count);
    }
    recordEventInterval(series.attribution, start, end, traceId, syncEnd);
    if (span !== undefined) endSpan(span, failure, error);
  } catch (fault) {
    reportFault('handler', fault, setup.store);
  }
}

/**
 * What the caller gets back: a plain result as it is, recorded now; a promise as a promise of its
 * class that settles the same way once the event is recorded; another thenable as it is, watched
 * until it settles (see settlement.ts).
 */
export function observeResult(
  setup: ConsumerSetup,
  series: ConsumerSeries,
  start: number,
  count: number,
  span: Span | undefined,
  traceId: string | undefined,
  result: unknown,
): unknown {
  if (isPromise(result)) {
    const returned = recordWhenSettled(setup, series, start, count, span, traceId, result);
    if (returned !== undefined) return returned;
  }
  const then = thenOf(result, setup.store);
  if (then === undefined) {
    finishConsumed(setup, series, start, undefined, count, span, traceId, false, undefined);
    return result;
  }
  const syncEnd = setup.clock();
  watchThenable(
    result,
    then,
    () => finishConsumed(setup, series, start, syncEnd, count, span, traceId, false, undefined),
    (error) => finishConsumed(setup, series, start, syncEnd, count, span, traceId, true, error),
  );
  return result;
}

/**
 * The async hot path: two closures over the event, nothing else allocated. A function of its own
 * so that the closures' context is only created for promises, never on the sync path.
 */
function recordWhenSettled(
  setup: ConsumerSetup,
  series: ConsumerSeries,
  start: number,
  count: number,
  span: Span | undefined,
  traceId: string | undefined,
  result: Promise<unknown>,
): Promise<unknown> | undefined {
  const syncEnd = setup.clock();
  return passThrough(
    result,
    (value) => {
      finishConsumed(setup, series, start, syncEnd, count, span, traceId, false, undefined);
      return value;
    },
    (error) => {
      finishConsumed(setup, series, start, syncEnd, count, span, traceId, true, error);
      throw error;
    },
  );
}
