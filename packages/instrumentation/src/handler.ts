import { ConsumerSetup } from './consumer.js';
import { wrapConsumer } from './consumer-call.js';
import { keepIdentity } from './identity.js';
import type { HandlerOptions } from './types.js';

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
  const setup = new ConsumerSetup(options, false, 'instrumentHandler');
  const instrumented = wrapConsumer(handler, setup, undefined);
  return keepIdentity(instrumented, handler);
}
