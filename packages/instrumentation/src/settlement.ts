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

/** What the wrappers do once a result settles: exactly one of the two is called, once. */
export interface SettlementObserver {
  fulfilled(): void;
  rejected(error: unknown): void;
}

/**
 * The result to hand back to the caller for a thenable `result`, with `observer` told once how it
 * settled. For a promise (native or a subclass) that is a new promise of its class settling the same
 * way; for any other thenable the thenable itself. Never throws.
 */
export function settleThrough(result: object, then: Then, observer: SettlementObserver): unknown {
  // `instanceof` is the fast check; the brand check also finds promises of another realm (vm).
  if (result instanceof Promise || types.isPromise(result)) {
    try {
      // Promise.prototype.then calls exactly one callback, once; what the callbacks return or throw
      // settles the promise handed back. A subclass's own `then` override still runs whenever the
      // caller awaits what we return (it is of the subclass, through its species).
      return nativeThen.call(
        result,
        (value: unknown) => {
          observer.fulfilled();
          return value;
        },
        (error: unknown) => {
          observer.rejected(error);
          throw error;
        },
      );
    } catch {
      // Not a real promise after all (a plain object with Promise.prototype in its chain), or a
      // species constructor that throws: watch it as any other thenable.
    }
  }
  watchThenable(result, then, observer);
  return result;
}

/**
 * Call exactly one of the observer's methods, once, when the thenable settles. Thenables that call
 * back twice or call both are recorded once; a `then` that throws counts as a rejection, since
 * whoever awaits the result is rejected with that error.
 */
function watchThenable(result: object, then: Then, observer: SettlementObserver): void {
  let settled = false;
  const fulfilled = () => {
    if (settled) return;
    settled = true;
    observer.fulfilled();
  };
  const rejected = (error: unknown) => {
    if (settled) return;
    settled = true;
    observer.rejected(error);
  };
  try {
    then.call(result, fulfilled, rejected);
  } catch (error) {
    rejected(error);
  }
}
