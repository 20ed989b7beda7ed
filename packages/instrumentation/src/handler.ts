import type { Span } from '@opentelemetry/api';
import {
  ConsumerSetup,
  ContextualCall,
  callInContext,
  finishConsumed,
  observeResult,
  type ConsumerSetup as Setup,
} from './consumer.js';
import { reportFault } from './faults.js';
import { keepIdentity } from './identity.js';
import type { IncomingContext } from './incoming.js';
import { carriesContext, sdkRegistered, startConsumerSpan } from './tracing.js';
import type { HandlerOptions } from './types.js';

export { instrumentBatchHandler } from './batch.js';

// Filled by IncomingReader.read and copied out at once: the hot path allocates no result object.
const incoming: IncomingContext = { parent: undefined, origin: undefined };

/**
 * Wrap an event handler in one line:
 *
 *     consumer.on('message', instrumentHandler(handle, { system: 'nats', destination: 'orders' }));
 *
 * The returned function has the handler's call signature and behaviour: it returns what the handler
 * returns (for a promise, a promise of its class that settles with the same value or reason, once the
 * event is recorded; a sync handler stays sync), throws what it throws, and passes `this` and every
 * argument through. A rejection nobody handles still raises `unhandledRejection`. Per event it records processing time, the
 * consumed count (failures by `error.type`), in-flight events, event and pipeline age, GC attribution
 * and a CONSUMER span whose parent is the producer's span.
 */
export function instrumentHandler<F extends (...args: any[]) => any, M = Parameters<F>[0]>(
  handler: F,
  options: HandlerOptions<M>,
): F {
  if (typeof handler !== 'function') {
    throw new TypeError(`instrumentHandler: handler must be a function, got ${typeof handler}`);
  }
  const setup: Setup = new ConsumerSetup(options, false, 'instrumentHandler');
  const { clock, tracing, messageIndex } = setup;

  const instrumented = function (this: unknown): unknown {
    const start = clock();
    // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
    const message = arguments[messageIndex];
    const series = setup.seriesFor(message);
    series.inFlight.add(1);
    if (series.labelOverflow !== undefined) series.labelOverflow.add(1);
    setup.incoming.read(message, series, incoming);
    const parent = incoming.parent;
    const origin = incoming.origin;
    let traceId = parent?.traceId;
    let span: Span | undefined;
    if (tracing && sdkRegistered()) {
      try {
        const started = startConsumerSpan(series.span, parent);
        if (carriesContext(started)) {
          span = started;
          traceId = started.spanContext().traceId;
        }
      } catch (fault) {
        reportFault('tracing', fault, setup.store);
      }
    }
    let result: unknown;
    try {
      if (span === undefined && origin === undefined) {
        // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
        result = Reflect.apply(handler, this, arguments);
      } else {
        const call = new ContextualCall(handler, this, span, origin);
        // biome-ignore lint/complexity/noArguments: a rest array would cost an allocation per event
        result = Reflect.apply(callInContext, call, arguments);
      }
    } catch (error) {
      finishConsumed(setup, series, start, undefined, 1, span, traceId, true, error);
      throw error;
    }
    return observeResult(setup, series, start, 1, span, traceId, result);
  };
  return keepIdentity(instrumented, handler);
}
