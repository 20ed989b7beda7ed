import type { EventEmitter } from 'node:events';
import { instrumentHandler } from '../handler.js';
import type { CarrierReader, HandlerOptions } from '../types.js';
import { type AdapterOptions, commonOptions } from './options.js';
import { patchMethod } from './patch.js';

/**
 * Node's `EventEmitter`, the embedded default: events produced and consumed inside one process.
 *
 * - `instrumentEmitter(emitter, { events })` records every `emit` of the chosen event names as
 *   one processed event (all its listeners together, which is what an emit is). Listeners are
 *   not touched, so `off`/`removeListener`/`listeners()` behave exactly as before.
 * - `instrumentListener(listener, { event })` wraps one listener; use it for async listeners,
 *   whose work `emit` does not wait for.
 *
 * The message is the first argument after the event name. Trace context needs no headers here:
 * listeners run synchronously inside `emit`, in the emitter's active context. An event object
 * that carries `headers` (as events forwarded from a broker do) is read like a broker message.
 */

export const EVENT_EMITTER_SYSTEM = 'eventemitter';

export interface EmitterOptions<M = unknown> extends AdapterOptions {
  /** The event names to instrument; other events are emitted untouched. */
  events: readonly (string | symbol)[];
  /** `messaging.destination.name` per event; default the event name. */
  destination?: (event: string | symbol, message: M) => string | undefined;
  /** The event's creation time in epoch ms, when the event object carries one. */
  createdAt?: (message: M) => number | undefined;
  /** How to read trace and timing headers from an event object (default: `event.headers`). */
  carrier?: CarrierReader<M>;
}

export interface ListenerOptions<M = unknown> extends AdapterOptions {
  /** The event name the listener is registered for: its `messaging.destination.name`. */
  event: string | symbol;
  createdAt?: (message: M) => number | undefined;
  carrier?: CarrierReader<M>;
}

const eventName = (event: string | symbol) =>
  typeof event === 'symbol' ? (event.description ?? 'symbol') : event;

function handlerOptions<M>(
  options: AdapterOptions & { createdAt?: (message: M) => number | undefined; carrier?: CarrierReader<M> },
  destination: HandlerOptions<M>['destination'],
  messageArgument: number,
): HandlerOptions<M> {
  const out: HandlerOptions<M> = { ...commonOptions(options, EVENT_EMITTER_SYSTEM), messageArgument };
  if (destination !== undefined) out.destination = destination;
  if (options.consumerGroup !== undefined) out.consumerGroup = options.consumerGroup;
  if (options.slowThreshold !== undefined) out.slowThreshold = options.slowThreshold;
  if (options.createdAt) out.createdAt = options.createdAt;
  if (options.carrier) out.carrier = options.carrier;
  return out;
}

/** Record every emit of the chosen events on this emitter. Returns the same emitter. */
export function instrumentEmitter<E extends EventEmitter, M = unknown>(
  emitter: E,
  options: EmitterOptions<M>,
): E {
  const chosen = new Set(options.events);
  // One wrapped emit per event name, resolved now: the destination label is fixed per name.
  const emits = new Map<string | symbol, (...args: unknown[]) => boolean>();
  patchMethod(emitter, 'emit', (originalEmit) => {
    for (const event of chosen) {
      const destination = options.destination
        ? (message: M) => options.destination?.(event, message) ?? eventName(event)
        : eventName(event);
      // The wrapped function receives emit's own arguments: (event, message, ...rest).
      emits.set(event, instrumentHandler(originalEmit, handlerOptions<M>(options, destination, 1)));
    }
    return function emit(this: E, event: string | symbol, ...args: unknown[]): boolean {
      const instrumented = chosen.has(event) ? emits.get(event) : undefined;
      return instrumented ? instrumented.call(this, event, ...args) : originalEmit.call(this, event, ...args);
    };
  });
  return emitter;
}

/** Wrap one listener: sync stays sync, async is timed until its promise settles. */
export function instrumentListener<L extends (...args: never[]) => unknown, M = unknown>(
  listener: L,
  options: ListenerOptions<M>,
): L {
  return instrumentHandler(listener, handlerOptions<M>(options, eventName(options.event), 0));
}
