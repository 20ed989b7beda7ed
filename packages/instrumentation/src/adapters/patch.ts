/**
 * Adapters instrument the client object the user already has, in place: a method is replaced on
 * that one instance (never on the library's prototype), so other clients in the process are
 * untouched. Patching is idempotent: instrumenting a client twice does not count events twice.
 */

const patchedMethods = new WeakMap<object, Set<PropertyKey>>();

type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * Replace `target[name]` with `wrap(original)`. Returns false (and changes nothing) when the
 * method is missing or this instance was already patched.
 */
export function patchMethod<T extends object>(
  target: T,
  name: PropertyKey,
  wrap: (original: AnyFunction) => AnyFunction,
): boolean {
  const original = (target as Record<PropertyKey, unknown>)[name];
  if (typeof original !== 'function') return false;
  let names = patchedMethods.get(target);
  if (!names) patchedMethods.set(target, (names = new Set()));
  if (names.has(name)) return false;
  names.add(name);
  Object.defineProperty(target, name, {
    value: wrap(original as AnyFunction),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return true;
}
