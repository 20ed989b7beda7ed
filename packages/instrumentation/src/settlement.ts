import { reportFault } from './faults.js';
import type { SignalStore } from './store.js';

/**
 * Watching a handler's or send's result settle without changing it. The wrappers return the result
 * itself (the very same promise); they observe it through its own `then`, on a side chain that
 * handles the rejection, so the chain cannot add an unhandled rejection of its own.
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

/**
 * Call exactly one of the callbacks, once, when the thenable settles. Thenables that call back twice
 * or call both are recorded once; a `then` that throws counts as a rejection, since whoever awaits
 * the result is rejected with that error.
 */
export function whenSettled(
  result: unknown,
  then: Then,
  onFulfilled: () => void,
  onRejected: (error: unknown) => void,
): void {
  if (then === nativeThen && result instanceof Promise) {
    // A native promise calls exactly one callback, once, and its `then` does not throw.
    nativeThen.call(result as Promise<unknown>, onFulfilled, onRejected);
    return;
  }
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
