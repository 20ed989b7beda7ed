import { attributes } from '@eventscope/catalog';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrumentHandler, SignalStore } from '../../src/index.js';

/**
 * Acceptance 1: wrapped and bare handlers are indistinguishable — results, errors by identity,
 * sync-ness, `this`, arguments, call counts — and the recorded counts equal the calls, split by outcome.
 *
 * The model of a returned promise (see settlement.ts): the caller gets a promise of the same class
 * (a subclass stays a subclass) that settles with the identical value or reason; any other thenable,
 * and every non-thenable value, is the very object the handler returned. Unhandled rejections are
 * compared in unhandled-rejection.test.ts.
 */

type Outcome =
  | 'return'
  | 'throw'
  | 'resolve'
  | 'reject'
  | 'subclass-resolve'
  | 'subclass-reject'
  | 'thenable-resolve'
  | 'thenable-reject'
  | 'thenable-twice'
  | 'thenable-throwing-then'
  | 'return-this'
  | 'return-arguments';

const outcomes: Outcome[] = [
  'return',
  'throw',
  'resolve',
  'reject',
  'subclass-resolve',
  'subclass-reject',
  'thenable-resolve',
  'thenable-reject',
  'thenable-twice',
  'thenable-throwing-then',
  'return-this',
  'return-arguments',
];
const failing = new Set<Outcome>([
  'throw',
  'reject',
  'subclass-reject',
  'thenable-reject',
  'thenable-throwing-then',
]);
const promises = new Set<Outcome>(['resolve', 'reject', 'subclass-resolve', 'subclass-reject']);

/** A Promise subclass, as some client libraries return (with extra methods on the prototype). */
class TrackedPromise<T> extends Promise<T> {
  tracked(): true {
    return true;
  }
}

class ValidationError extends Error {
  override name = 'ValidationError';
}
const thrownValue = fc.oneof(
  fc.constant(() => new Error('plain')),
  fc.constant(() => new TypeError('type')),
  fc.constant(() => new ValidationError('invalid')),
  fc.constant(() => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
  fc.constant(() => 'a thrown string'),
  fc.constant(() => undefined),
  fc.constant(() => null),
  fc.constant(() => ({ name: 'not an identifier!' })),
);

type Then = (ok: (value: unknown) => void, fail: (error: unknown) => void) => void;
/** A custom thenable, not a Promise: what some client libraries return. */
function thenable(then: Then): PromiseLike<unknown> {
  return { then } as PromiseLike<unknown>;
}

/** A handler that behaves as `outcome` says and remembers every call. */
function makeHandler(outcome: Outcome, value: unknown, error: unknown) {
  const calls: { self: unknown; args: unknown[] }[] = [];
  const returned: unknown[] = [];
  const handler = function (this: unknown, ...args: unknown[]): unknown {
    calls.push({ self: this, args });
    let result: unknown;
    switch (outcome) {
      case 'return':
        result = value;
        break;
      case 'throw':
        throw error;
      case 'resolve':
        result = Promise.resolve(value);
        break;
      case 'reject':
        result = Promise.reject(error);
        // The caller of the bare and wrapped handler handles it; keep the runner quiet meanwhile.
        (result as Promise<unknown>).catch(() => {});
        break;
      case 'subclass-resolve':
        result = TrackedPromise.resolve(value);
        break;
      case 'subclass-reject':
        result = TrackedPromise.reject(error);
        (result as Promise<unknown>).catch(() => {});
        break;
      case 'thenable-resolve':
        result = thenable((ok) => queueMicrotask(() => ok(value)));
        break;
      case 'thenable-reject':
        result = thenable((_, fail) => queueMicrotask(() => fail(error)));
        break;
      case 'thenable-twice':
        result = thenable((ok, fail) => {
          ok(value);
          ok(value);
          fail(error);
        });
        break;
      case 'thenable-throwing-then':
        result = thenable(() => {
          throw error;
        });
        break;
      case 'return-this':
        result = this;
        break;
      case 'return-arguments':
        result = args;
        break;
    }
    returned.push(result);
    return result;
  };
  return { handler, calls, returned };
}

const isThenable = (v: unknown) =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as any).then === 'function';

async function settle(result: unknown): Promise<{ ok: boolean; value: unknown }> {
  if (!isThenable(result)) return { ok: true, value: result };
  try {
    return { ok: true, value: await (result as PromiseLike<unknown>) };
  } catch (error) {
    return { ok: false, value: error };
  }
}

function call(fn: (...args: unknown[]) => unknown, self: unknown, args: unknown[]) {
  try {
    return { threw: false, result: fn.apply(self, args) as unknown };
  } catch (error) {
    return { threw: true, result: error };
  }
}

describe('instrumentHandler: behaviour passes through', () => {
  it('is indistinguishable from the bare handler over 10,000 generated cases, and counts every call', async () => {
    const store = new SignalStore();
    const expected = { ok: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...outcomes),
        fc.array(fc.anything(), { maxLength: 6 }),
        fc.anything(),
        fc.anything(),
        thrownValue,
        fc.boolean(),
        async (outcome, args, self, value, makeError, asyncDestination) => {
          const error = makeError();
          const bare = makeHandler(outcome, value, error);
          const inner = makeHandler(outcome, value, error);
          const wrapped = instrumentHandler(inner.handler, {
            system: 'inprocess',
            destination: asyncDestination ? (m: unknown) => typeof m : 'orders',
            store,
            registry: false,
            runtime: false,
          });
          const a = call(bare.handler, self, args);
          const b = call(wrapped, self, args);

          expect(b.threw).toBe(a.threw);
          expect(isThenable(b.result)).toBe(isThenable(a.result));
          if (a.threw) {
            expect(b.result).toBe(error);
          } else if (outcome === 'return-this') {
            expect(b.result).toBe(self);
          } else if (promises.has(outcome)) {
            // A promise of the very class the handler returned, not the handler's own object.
            expect(b.result).toBeInstanceOf(Promise);
            expect(Object.getPrototypeOf(b.result)).toBe(Object.getPrototypeOf(inner.returned[0]));
            expect(Object.getPrototypeOf(a.result)).toBe(Object.getPrototypeOf(inner.returned[0]));
          } else {
            // The very object the handler returned: same promise, same thenable, same value.
            expect(b.result).toBe(inner.returned[0]);
          }
          // `this` and every argument reach the handler untouched, exactly once.
          expect(inner.calls.length).toBe(1);
          expect(bare.calls.length).toBe(1);
          expect(inner.calls[0]!.self).toBe(self);
          expect(inner.calls[0]!.args.length).toBe(args.length);
          inner.calls[0]!.args.forEach((arg, i) => {
            expect(Object.is(arg, args[i])).toBe(true);
          });

          const [sa, sb] = [await settle(a.result), await settle(b.result)];
          expect(sb.ok).toBe(sa.ok);
          if (outcome === 'return-arguments') expect(sb.value).toEqual(sa.value);
          else if (outcome !== 'return-this') expect(Object.is(sb.value, sa.value)).toBe(true);
          if (failing.has(outcome)) expected.failed++;
          else expected.ok++;
        },
      ),
      { numRuns: 10_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));

    const errorIndex = store.family('consumedMessages').signal.labels.indexOf(attributes.errorType);
    let ok = 0;
    let failed = 0;
    for (const series of store.family('consumedMessages').series.values()) {
      if (series.values[errorIndex] === '') ok += series.value;
      else failed += series.value;
    }
    let observed = 0;
    for (const series of store.family('processDuration').series.values()) observed += series.count;
    let inFlight = 0;
    for (const series of store.family('inFlight').series.values()) inFlight += series.value;
    // The failure counter counts the same failed calls, however they failed (throw, rejection, thenable).
    let failedCalls = 0;
    for (const series of store.family('failedEvents').series.values()) failedCalls += series.value;

    expect(expected.ok + expected.failed).toBe(10_000);
    expect(ok).toBe(expected.ok);
    expect(failed).toBe(expected.failed);
    expect(failedCalls).toBe(expected.failed);
    expect(observed).toBe(10_000);
    expect(inFlight).toBe(0);
  });

  it('keeps name and length, and works as a method', () => {
    const store = new SignalStore();
    const target = {
      factor: 3,
      scale(this: { factor: number }, a: number, b: number) {
        return (a + b) * this.factor;
      },
    };
    target.scale = instrumentHandler(target.scale, {
      system: 'inprocess',
      store,
      registry: false,
      runtime: false,
    });
    expect(target.scale(1, 2)).toBe(9);
    expect(target.scale.name).toBe('scale');
    expect(target.scale.length).toBe(2);
  });

  it('never lets a hostile message or carrier reach the handler as an error', () => {
    const store = new SignalStore();
    const hostile = {
      get headers(): never {
        throw new Error('getter blew up');
      },
    };
    const hostileCarrier = {
      headers: {
        get(): never {
          throw new Error('get blew up');
        },
      },
    };
    const seen: unknown[] = [];
    const wrapped = instrumentHandler((m: unknown) => seen.push(m), {
      system: 'inprocess',
      destination: () => {
        throw new Error('destination blew up');
      },
      createdAt: () => {
        throw new Error('timestamp blew up');
      },
      store,
      registry: false,
      runtime: false,
    });
    expect(wrapped(hostile)).toBe(1);
    expect(wrapped(hostileCarrier)).toBe(2);
    const faults = [...store.family('instrumentationErrors').series.values()].reduce(
      (n, s) => n + s.value,
      0,
    );
    expect(faults).toBeGreaterThanOrEqual(4);
  });
});
