import { context, isSpanContextValid, type Span, type SpanContext, trace } from '@opentelemetry/api';
import { monotonicClock } from './clock.js';
import { prepareExport } from './consumer.js';
import { DestinationBundles } from './destinations.js';
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
  const store = prepareExport(options, 'instrumentProducer');
  const clock = options.clock ?? monotonicClock;
  const wallClock = options.wallClock ?? Date.now;
  const tracing = options.tracing !== false;
  const pipeline = options.pipelineAge === true;
  const writer = (options.carrier ?? defaultCarrierWriter) as CarrierWriter<unknown[], unknown>;
  const messageCount = options.messageCount as ((args: unknown[]) => number) | undefined;
  const create = (destination: string) =>
    new ProducerSeries(store, {
      system: options.system,
      destination,
      operationName: options.operationName ?? 'send',
    });
  const destination = options.destination as string | ((args: unknown[]) => string | undefined) | undefined;
  const fixed = typeof destination === 'function' ? undefined : create(destination ?? '');
  const bundles =
    typeof destination === 'function' ? new DestinationBundles(store.destinationBudget, create) : undefined;

  const seriesFor = (args: unknown[]): ProducerSeries => {
    if (fixed !== undefined) return fixed;
    let name: string | undefined;
    try {
      name = (destination as (args: unknown[]) => string | undefined)(args);
    } catch (fault) {
      reportFault('destination', fault, store);
    }
    return bundles!.get(name);
  };

  const countOf = (args: unknown[]): number => {
    if (messageCount === undefined) return 1;
    try {
      const n = messageCount(args);
      return Number.isFinite(n) && n >= 0 ? n : 1;
    } catch (fault) {
      reportFault('producer', fault, store);
      return 1;
    }
  };

  const instrumented = function (this: unknown, ...args: unknown[]): unknown {
    const start = clock();
    const series = seriesFor(args);
    if (series.labelOverflow !== undefined) series.labelOverflow.add(1);
    let span: Span | undefined;
    if (tracing && sdkRegistered()) {
      try {
        const started = startProducerSpan(series.span);
        if (carriesContext(started)) span = started;
      } catch (fault) {
        reportFault('tracing', fault, store);
      }
    }
    inject(writer, args, series, span, wallClock, pipeline, store);
    let result: unknown;
    try {
      result =
        span === undefined
          ? Reflect.apply(send, this, args)
          : withActiveSpan(span, () => Reflect.apply(send, this, args));
    } catch (error) {
      finishSent(store, series, clock, start, countOf(args), span, true, error);
      throw error;
    }
    if (isPromise(result)) {
      const returned = passThrough(
        result,
        (value) => {
          finishSent(store, series, clock, start, countOf(args), span, false, undefined);
          return value;
        },
        (error) => {
          finishSent(store, series, clock, start, countOf(args), span, true, error);
          throw error;
        },
      );
      if (returned !== undefined) return returned;
    }
    const then = thenOf(result, store);
    if (then === undefined) {
      finishSent(store, series, clock, start, countOf(args), span, false, undefined);
      return result;
    }
    watchThenable(
      result,
      then,
      () => finishSent(store, series, clock, start, countOf(args), span, false, undefined),
      (error) => finishSent(store, series, clock, start, countOf(args), span, true, error),
    );
    return result;
  };
  return keepIdentity(instrumented, send);
}

/** Write trace context, creation and origin time into the outgoing message. Never throws. */
function inject(
  writer: CarrierWriter<unknown[], unknown>,
  args: unknown[],
  series: ProducerSeries,
  span: Span | undefined,
  wallClock: () => number,
  pipeline: boolean,
  store: SignalStore,
): void {
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
    setIfAbsent(writer, carrier, headerNames.created, formatEpochMillis(wallClock()));
    if (pipeline) {
      const origin = pipelineOrigin();
      if (origin !== undefined) setIfAbsent(writer, carrier, headerNames.origin, formatEpochMillis(origin));
    }
  } catch (fault) {
    reportFault('carrier', fault, store);
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

function finishSent(
  store: SignalStore,
  series: ProducerSeries,
  clock: () => number,
  start: number,
  count: number,
  span: Span | undefined,
  failed: boolean,
  error: unknown,
): void {
  try {
    const seconds = (clock() - start) / 1000;
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
    reportFault('producer', fault, store);
  }
}
