import { types } from 'node:util';
import { reportFault } from './faults.js';
import type { SignalStore } from './store.js';

/**
 * Watching a handler's or send's result settle without changing how the caller's program behaves.
 *
 * A promise is handed back as `promise.then(recordAndPassValue, recordAndRethrow)`: the caller gets
 * a promise of the same class (`then` builds it through the promise's species) that settles with the
 * very same value or rejection reason, after the event has been recorded. Watching the original
 * through a side chain instead would keep its identity but mark it handled, so a rejection nobody
 * handles would no longer raise `unhandledRejection` (or crash the process, Node's default). Here
 * the original is handled by us and the returned promise carries the rejection on: unhandled, it
 * raises `unhandledRejection` once, with the same reason; handled, none.
 *
 * A thenable that is not a promise has no unhandled-rejection tracking to preserve: it is returned
 * as it is and watched by calling its own `then` once, with callbacks that never throw.
 */

const nativeThen = Promise.prototype.then;

type Then = (onFulfilled: (value: unknown) => void, onRejected: (error: unknown) => void) => unknown;

/** The `then` method of a thenable result, or undefined for anything else. Never throws. */
export function thenOf(result: unknown, store: SignalStore): Then | undefined {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return undefined;
  try {
    const then = (result as { then?: unknown }).then;
    return typeof then === 'function' ? (then as Then) : undefined;
  } catch (fault) {
    // A throwing `then` getter is the caller's business when it awaits; for us the call is done.
    reportFault('thenable', fault, store);
    return undefined;
  }
}

/** Whether a result is a promise: native, a subclass, or of another realm (vm). */
export function isPromise(result: unknown): result is Promise<unknown> {
  // `instanceof` is the fast check; the brand check also finds promises of another realm.
  return result instanceof Promise || types.isPromise(result);
}

/**
 * `promise.then(onFulfilled, onRejected)` through the native `then`: what the caller gets back. The
 * callbacks record the event and must return the value, or rethrow the error, unchanged. Returns
 * undefined (nothing attached) when the object is not a real promise after all (a plain object
 * with Promise.prototype in its chain) or its species constructor throws: watch it as a thenable.
 */
export function passThrough(
  promise: Promise<unknown>,
  onFulfilled: (value: unknown) => unknown,
  onRejected: (error: unknown) => never,
): Promise<unknown> | undefined {
  try {
    // Promise.prototype.then calls exactly one callback, once, and builds the returned promise
    // through the species (a subclass stays a subclass). A subclass's own `then` override still runs
    // whenever the caller awaits what it gets.
    return nativeThen.call(promise, onFulfilled, onRejected);
  } catch {
    return undefined;
  }
}

/**
 * Call exactly one of the callbacks, once, when the thenable settles. Thenables that call back
 * twice or call both are recorded once; a `then` that throws counts as a rejection, since whoever
 * awaits the result is rejected with that error. The callbacks must not throw.
 */
export function watchThenable(
  result: unknown,
  then: Then,
  onFulfilled: () => void,
  onRejected: (error: unknown) => void,
): void {
  let settled = false;
  const fulfilled = () => {
    if (settled) return;
    settled = true;
    onFulfilled();
  };
  const rejected = (error: unknown) => {
    if (settled) return;
    settled = true;
    onRejected(error);
  };
  try {
    then.call(result, fulfilled, rejected);
  } catch (error) {
    rejected(error);
  }
}
