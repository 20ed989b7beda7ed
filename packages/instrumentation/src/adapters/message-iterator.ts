import { instrumentHandler } from '../handler.js';
import type { HandlerOptions } from '../types.js';

/**
 * Consumers that read with `for await (const msg of subscription)` have no handler function to
 * wrap: the loop body is the handler. An event's processing therefore runs from the moment the
 * iterator hands it out to the moment the loop asks for the next one (or leaves the loop).
 *
 * Each message goes through the core handler wrapper with a handler that settles when the loop
 * comes back, so age, counts, duration and the consumer span are recorded exactly as for a
 * callback consumer. Two things a loop body cannot give: the consumer span is not the active
 * context inside the body, and a body that throws leaves the loop like a `break` does, so it
 * counts as processed. Use a callback consumer (or wrap your handler) when those matter.
 */
/** `beforeProcess` runs for each message before it is handed out (adapters tag messages for settling). */
export function instrumentMessageIterator<M>(
  inner: AsyncIterator<M>,
  options: HandlerOptions<M>,
  beforeProcess?: (message: M) => void,
): AsyncIterator<M> {
  let finishCurrent: (() => void) | undefined;
  const process = instrumentHandler(
    (_message: M) =>
      new Promise<void>((resolve) => {
        finishCurrent = resolve;
      }),
    options,
  );
  const finish = () => {
    const done = finishCurrent;
    finishCurrent = undefined;
    done?.();
  };

  const iterator: AsyncIterator<M> = {
    async next(...args: [] | [unknown]) {
      finish();
      const result = await inner.next(...args);
      if (!result.done) {
        beforeProcess?.(result.value);
        void process(result.value);
      }
      return result;
    },
  };
  if (inner.return) {
    const innerReturn = inner.return.bind(inner);
    iterator.return = (value?: unknown) => {
      finish();
      return innerReturn(value);
    };
  } else {
    iterator.return = async (value?: unknown) => {
      finish();
      return { done: true, value: value as M };
    };
  }
  if (inner.throw) {
    const innerThrow = inner.throw.bind(inner);
    iterator.throw = (error?: unknown) => {
      finish();
      return innerThrow(error);
    };
  }
  return iterator;
}
