import { context, isSpanContextValid, type Span, type SpanContext, trace } from '@opentelemetry/api';
import { monotonicClock } from './clock.js';
import { type DestinationOf, SeriesByDestination } from './destinations.js';
import { errorType } from './error-type.js';
import { reportFault } from './faults.js';
import { keepIdentity } from './identity.js';
import { pipelineOrigin } from './pipeline.js';
import { ProducerSeries } from './producer-series.js';
import { defaultCarrierWriter, formatEpochMillis, formatTraceparent } from './propagation.js';
import { isPromise, passThrough, thenOf, watchThenable } from './settlement.js';
import type { SignalStore } from './store.js';
import { carriesContext, endSpan, sdkRegistered, startProducerSpan, withActiveSpan } from './tracing.js';
import { type CarrierWriter, headerNames, type ProducerOptions } from './types.js';
import { prepareWrapper } from './wrapper-setup.js';

/**
 * Wrap a send function in one line:
 *
 *     const send = instrumentProducer((msg) => client.publish(msg), { system: 'nats', destination: 'orders' });
 *
 * Each call gets a PRODUCER span; the message gets `traceparent`/`tracestate`, its creation time and
 * (when sent from inside an instrumented handler) its pipeline's origin time, through the carrier's
 * setter — a header the caller already set is never overwritten. The call's duration and the sent
 * count are recorded, failures by `error.type`. The send function's result, errors, `this` and
 * arguments pass through untouched; a promise comes back as a promise of its class that settles the
 * same way (see settlement.ts), so an unhandled failed send still raises `unhandledRejection`.
 */
export function instrumentProducer<F extends (...args: any[]) => any>(
  send: F,
  options: ProducerOptions<Parameters<F>>,
): F {
  if (typeof send !== 'function') {
    throw new TypeError(`instrumentProducer: send must be a function, got ${typeof send}`);
  }
  const setup = new ProducerSetup(options as ProducerOptions<unknown[]>);
  return keepIdentity(wrapProducer(send, setup), send);
}

/** A producer's options, resolved once at wrap time. */
class ProducerSetup {
  readonly store: SignalStore;
  readonly clock: () => number;
  readonly wallClock: () => number;
  readonly tracing: boolean;
  readonly pipeline: boolean;
  readonly writer: CarrierWriter<unknown[], unknown>;
  private readonly messageCount: ((args: unknown[]) => number) | undefined;
  private readonly creationHeader: ((args: unknown[]) => boolean) | undefined;
  /** The series for a send call's destination (`destinations.get(args)`); resolved once per destination. */
  readonly destinations: SeriesByDestination<unknown[], ProducerSeries>;

  constructor(options: ProducerOptions<unknown[]>) {
    this.store = prepareWrapper(options, 'instrumentProducer');
    this.clock = options.clock ?? monotonicClock;
    this.wallClock = options.wallClock ?? Date.now;
    this.tracing = options.tracing !== false;
    this.pipeline = options.pipelineAge === true;
    this.writer = (options.carrier ?? defaultCarrierWriter) as CarrierWriter<unknown[], unknown>;
    this.messageCount = options.messageCount;
    this.creationHeader = options.creationHeader;
    const create = (destination: string) =>
      new ProducerSeries(this.store, {
        system: options.system,
        destination,
        operationName: options.operationName ?? 'send',
      });
    this.destinations = new SeriesByDestination(
      options.destination as DestinationOf<unknown[]>,
      this.store,
      create,
    );
  }

  /** Messages one call sent: 1, or what the `messageCount` option says (1 when it fails). */
  countOf(args: unknown[]): number {
    if (this.messageCount === undefined) return 1;
    try {
      const n = this.messageCount(args);
      return Number.isFinite(n) && n >= 0 ? n : 1;
    } catch (fault) {
      reportFault('producer', fault, this.store);
      return 1;
    }
  }

  /** Whether this call's message gets the creation-time header (a failing option: it does). */
  writesCreation(args: unknown[]): boolean {
    if (this.creationHeader === undefined) return true;
    try {
      return this.creationHeader(args) !== false;
    } catch (fault) {
      reportFault('producer', fault, this.store);
      return true;
    }
  }
}

/** The function `instrumentProducer` returns: sends exactly as `send` does, recorded. */
function wrapProducer(
  send: (...args: unknown[]) => unknown,
  setup: ProducerSetup,
): (this: unknown, ...args: unknown[]) => unknown {
  const clock = setup.clock;
  return function (this: unknown, ...args: unknown[]): unknown {
    const start = clock();
    const series = setup.destinations.get(args);
    if (series.labelOverflow !== undefined) series.labelOverflow.add(1);
    const span = startSendSpan(setup, series);
    inject(setup, args, series, span);
    let result: unknown;
    try {
      result =
        span === undefined
          ? Reflect.apply(send, this, args)
          : withActiveSpan(span, () => Reflect.apply(send, this, args));
    } catch (error) {
      finishSent(setup, series, start, args, span, true, error);
      throw error;
    }
    return observeSent(setup, series, start, args, span, result);
  };
}

/** The PRODUCER span of one send, when tracing is on and it carries context onward. Never throws. */
function startSendSpan(setup: ProducerSetup, series: ProducerSeries): Span | undefined {
  if (!setup.tracing || !sdkRegistered()) return undefined;
  try {
    const started = startProducerSpan(series.span);
    return carriesContext(started) ? started : undefined;
  } catch (fault) {
    reportFault('tracing', fault, setup.store);
    return undefined;
  }
}

/** Write trace context, creation and origin time into the outgoing message. Never throws. */
function inject(setup: ProducerSetup, args: unknown[], series: ProducerSeries, span: Span | undefined): void {
  const writer = setup.writer;
  try {
    const carrier = writer.carrier(args);
    if (carrier === undefined || carrier === null) {
      series.propagationError('carrier');
      return;
    }
    // With no recording span of our own, pass on whatever context is active (e.g. a sampled-out span).
    const spanContext: SpanContext | undefined =
      span?.spanContext() ?? trace.getSpanContext(context.active());
    if (spanContext !== undefined && isSpanContextValid(spanContext)) {
      setIfAbsent(writer, carrier, headerNames.traceparent, formatTraceparent(spanContext));
      const tracestate = spanContext.traceState?.serialize();
      if (tracestate) setIfAbsent(writer, carrier, headerNames.tracestate, tracestate);
    }
    if (setup.writesCreation(args)) {
      setIfAbsent(writer, carrier, headerNames.created, formatEpochMillis(setup.wallClock()));
    }
    if (setup.pipeline) {
      const origin = pipelineOrigin();
      if (origin !== undefined) setIfAbsent(writer, carrier, headerNames.origin, formatEpochMillis(origin));
    }
  } catch (fault) {
    reportFault('carrier', fault, setup.store);
  }
}

function setIfAbsent(
  writer: CarrierWriter<unknown[], unknown>,
  carrier: unknown,
  key: string,
  value: string,
) {
  if (writer.get(carrier, key) === undefined) writer.set(carrier, key, value);
}

/**
 * What the caller gets back: a plain result as it is, recorded now; a promise as a promise of its
 * class that settles the same way once the send is recorded; another thenable as it is, watched
 * until it settles (see settlement.ts).
 */
function observeSent(
  setup: ProducerSetup,
  series: ProducerSeries,
  start: number,
  args: unknown[],
  span: Span | undefined,
  result: unknown,
): unknown {
  if (isPromise(result)) {
    const returned = passThrough(
      result,
      (value) => {
        finishSent(setup, series, start, args, span, false, undefined);
        return value;
      },
      (error) => {
        finishSent(setup, series, start, args, span, true, error);
        throw error;
      },
    );
    if (returned !== undefined) return returned;
  }
  const then = thenOf(result, setup.store);
  if (then === undefined) {
    finishSent(setup, series, start, args, span, false, undefined);
    return result;
  }
  watchThenable(
    result,
    then,
    () => finishSent(setup, series, start, args, span, false, undefined),
    (error) => finishSent(setup, series, start, args, span, true, error),
  );
  return result;
}

/** Record a finished send: its duration and message count (by `error.type` when it failed), its span. */
function finishSent(
  setup: ProducerSetup,
  series: ProducerSeries,
  start: number,
  args: unknown[],
  span: Span | undefined,
  failed: boolean,
  error: unknown,
): void {
  try {
    const seconds = (setup.clock() - start) / 1000;
    const count = setup.countOf(args);
    let failure: string | undefined;
    if (failed) {
      failure = errorType(error);
      const failedSeries = series.failure(failure);
      failedSeries.duration.observe(seconds);
      failedSeries.sent.add(count);
    } else {
      series.duration.observe(seconds);
      series.sent.add(count);
    }
    if (span !== undefined) endSpan(span, failure, error);
  } catch (fault) {
    reportFault('producer', fault, setup.store);
  }
}
