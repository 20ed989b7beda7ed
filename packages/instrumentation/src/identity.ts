/** Give a wrapper the wrapped function's `name` and `length`, so introspection sees the same function. */
export function keepIdentity<F extends (...args: any[]) => any>(
  wrapper: (...args: any[]) => unknown,
  original: F,
): F {
  try {
    Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  } catch {
    // A function with a throwing `name` getter keeps the wrapper's own name; nothing depends on it.
  }
  return wrapper as F;
}
