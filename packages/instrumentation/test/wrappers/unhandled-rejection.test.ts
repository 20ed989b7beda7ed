import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  instrumentBatchHandler,
  instrumentHandler,
  instrumentProducer,
  SignalStore,
} from '../../src/index.js';

/**
 * A rejection the caller never handles must surface exactly as it does without eventscope: one
 * `unhandledRejection` with the same reason (and, by default, a crash); a handled one, none.
 * Each scenario runs once with the bare function and once wrapped, and the two are compared.
 */

interface Report {
  kind: 'unhandledRejection' | 'rejectionHandled';
  reason: unknown;
  promise: Promise<unknown>;
}

/** Let Node process pending rejections: it does so after the microtask queue drains, per macrotask. */
const macrotask = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `scenario` with Node's rejection reporting diverted to a list. The test runner's own listeners
 * (which would fail the run) are set aside meanwhile and put back afterwards.
 */
async function rejectionsDuring(scenario: () => Promise<void> | void): Promise<Report[]> {
  const reports: Report[] = [];
  const unhandled = (reason: unknown, promise: Promise<unknown>) =>
    reports.push({ kind: 'unhandledRejection', reason, promise });
  const handled = (promise: Promise<unknown>) =>
    reports.push({ kind: 'rejectionHandled', reason: undefined, promise });
  const previousUnhandled = process.listeners('unhandledRejection');
  const previousHandled = process.listeners('rejectionHandled');
  process.removeAllListeners('unhandledRejection');
  process.removeAllListeners('rejectionHandled');
  process.on('unhandledRejection', unhandled);
  process.on('rejectionHandled', handled);
  try {
    await scenario();
    await macrotask(20);
    await macrotask();
  } finally {
    process.off('unhandledRejection', unhandled);
    process.off('rejectionHandled', handled);
    for (const listener of previousUnhandled) process.on('unhandledRejection', listener);
    for (const listener of previousHandled) process.on('rejectionHandled', listener);
  }
  return reports;
}

const options = (store: SignalStore) => ({
  system: 'inprocess',
  destination: 'orders',
  store,
  registry: false as const,
  runtime: false,
});

class TrackedPromise<T> extends Promise<T> {}

type Handler = (message: unknown) => unknown;

/** The same scenario against the bare and the wrapped function; returns both reports and results. */
async function compare(
  makeHandler: (error: Error) => Handler,
  wrap: (handler: Handler, store: SignalStore) => Handler,
  caller: (call: () => unknown) => Promise<unknown> | unknown,
) {
  const store = new SignalStore();
  const bareError = new Error('bare failure');
  const wrappedError = new Error('wrapped failure');
  const bare = makeHandler(bareError);
  const wrapped = wrap(makeHandler(wrappedError), store);
  const returned: { bare?: unknown; wrapped?: unknown } = {};
  const bareReports = await rejectionsDuring(
    () =>
      caller(() => {
        returned.bare = bare({ id: 1 });
        return returned.bare;
      }) as Promise<void>,
  );
  const wrappedReports = await rejectionsDuring(
    () =>
      caller(() => {
        returned.wrapped = wrapped({ id: 1 });
        return returned.wrapped;
      }) as Promise<void>,
  );
  return { store, bareError, wrappedError, bareReports, wrappedReports, returned };
}

const ignore = (call: () => unknown) => {
  call();
};
const handle = async (call: () => unknown) => {
  await (call() as Promise<unknown>).catch(() => {});
};
const handleLate = async (call: () => unknown) => {
  const result = call() as Promise<unknown>;
  await macrotask(10);
  await result.catch(() => {});
};

const asyncFailure = (error: Error) => async () => {
  await macrotask();
  throw error;
};
const rejectedAtOnce = (error: Error) => () => Promise.reject(error);
const subclassFailure = (error: Error) => () =>
  new TrackedPromise((_resolve, reject) => setTimeout(() => reject(error), 1));

const viaHandler = (handler: Handler, store: SignalStore) => instrumentHandler(handler, options(store));
const viaBatchHandler = (handler: Handler, store: SignalStore) =>
  instrumentBatchHandler(handler, options(store));
const viaProducer = (send: Handler, store: SignalStore) => instrumentProducer(send, options(store));

const failures = (store: SignalStore, key: 'consumedMessages' | 'sentMessages') =>
  [...store.family(key).series.values()]
    .filter((s) => s.values.includes('Error'))
    .reduce((n, s) => n + s.value, 0);

describe('unhandled rejections behave exactly as without eventscope', () => {
  for (const [name, makeHandler] of [
    ['an async handler that throws', asyncFailure],
    ['a promise rejected at once', rejectedAtOnce],
    ['a Promise subclass that rejects later', subclassFailure],
  ] as const) {
    it(`${name}, never handled: one unhandledRejection with the same reason, for the returned promise`, async () => {
      const run = await compare(makeHandler, viaHandler, ignore);
      expect(run.bareReports).toHaveLength(1);
      expect(run.bareReports[0]).toMatchObject({ kind: 'unhandledRejection' });
      expect(run.bareReports[0]!.reason).toBe(run.bareError);
      expect(run.wrappedReports).toHaveLength(1);
      expect(run.wrappedReports[0]).toMatchObject({ kind: 'unhandledRejection' });
      expect(run.wrappedReports[0]!.reason).toBe(run.wrappedError);
      // The promise reported is the one the caller got (and dropped).
      expect(run.wrappedReports[0]!.promise).toBe(run.returned.wrapped);
      expect(failures(run.store, 'consumedMessages')).toBe(1);
    });

    it(`${name}, handled by the caller: no report at all`, async () => {
      const run = await compare(makeHandler, viaHandler, handle);
      expect(run.bareReports).toEqual([]);
      expect(run.wrappedReports).toEqual([]);
      expect(failures(run.store, 'consumedMessages')).toBe(1);
    });
  }

  it('a rejection handled late: unhandledRejection, then rejectionHandled, for both', async () => {
    const run = await compare(rejectedAtOnce, viaHandler, handleLate);
    const kinds = (reports: Report[]) => reports.map((r) => r.kind);
    expect(kinds(run.bareReports)).toEqual(['unhandledRejection', 'rejectionHandled']);
    expect(kinds(run.wrappedReports)).toEqual(['unhandledRejection', 'rejectionHandled']);
    expect(run.wrappedReports[0]!.reason).toBe(run.wrappedError);
    expect(run.wrappedReports[1]!.promise).toBe(run.returned.wrapped);
  });

  it('a Promise subclass comes back as that subclass', async () => {
    const run = await compare(subclassFailure, viaHandler, handle);
    expect(run.returned.bare).toBeInstanceOf(TrackedPromise);
    expect(run.returned.wrapped).toBeInstanceOf(TrackedPromise);
  });

  it('a batch handler and a producer: the same, unhandled and handled', async () => {
    for (const wrap of [viaBatchHandler, viaProducer]) {
      const unhandled = await compare(asyncFailure, wrap, ignore);
      expect(unhandled.bareReports).toHaveLength(1);
      expect(unhandled.wrappedReports).toHaveLength(1);
      expect(unhandled.wrappedReports[0]!.reason).toBe(unhandled.wrappedError);
      const handled = await compare(asyncFailure, wrap, handle);
      expect(handled.bareReports).toEqual([]);
      expect(handled.wrappedReports).toEqual([]);
    }
    const producer = await compare(rejectedAtOnce, viaProducer, ignore);
    expect(producer.wrappedReports).toHaveLength(1);
    expect(failures(producer.store, 'sentMessages')).toBe(1);
  });

  it('the documented difference: a promise the handler already handled, dropped by the caller', async () => {
    const preHandled = (error: Error) => () => {
      const result = Promise.reject(error);
      result.catch(() => {});
      return result;
    };
    const run = await compare(preHandled, viaHandler, ignore);
    expect(run.bareReports).toEqual([]);
    // The returned promise is a new one that carries the rejection on (README: guarantees).
    expect(run.wrappedReports).toHaveLength(1);
    expect(run.wrappedReports[0]!.reason).toBe(run.wrappedError);
  });

  it('a custom thenable (not a promise) is returned as it is and raises nothing, as without eventscope', async () => {
    const thenableFailure = (error: Error) => () => ({
      // biome-ignore lint/suspicious/noThenProperty: a custom thenable is what this case is about
      then(_ok: unknown, fail: (e: unknown) => void) {
        setTimeout(() => fail(error), 1);
      },
    });
    const run = await compare(thenableFailure, viaHandler, ignore);
    expect(run.bareReports).toEqual([]);
    expect(run.wrappedReports).toEqual([]);
    expect(typeof (run.returned.wrapped as { then?: unknown }).then).toBe('function');
    expect(run.returned.wrapped).not.toBeInstanceOf(Promise);
    expect(failures(run.store, 'consumedMessages')).toBe(1);
  });
});

// --- Node's default mode: an unhandled rejection ends the process ----------------------------------

const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** A program that calls a failing async handler, bare or wrapped, and handles the result or not. */
function program(wrapped: boolean, handled: boolean): string {
  return `
    import { instrumentHandler } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
    const bare = async (message) => { throw new Error('order ' + message.id + ' refused'); };
    const handler = ${wrapped ? "instrumentHandler(bare, { system: 'inprocess', destination: 'orders', registry: false, runtime: false })" : 'bare'};
    const result = handler({ id: 7 });
    ${handled ? "result.catch((error) => console.log('handled: ' + error.message));" : ''}
    setTimeout(() => console.log('still running'), 50);
  `;
}

function runProgram(source: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', source],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('in a process of its own (the built package; `pnpm build` first)', () => {
  it('an unhandled rejection ends the wrapped program as it ends the bare one', async () => {
    expect(existsSync(built), `${built} is missing: run pnpm build`).toBe(true);
    const [bare, wrapped] = await Promise.all([
      runProgram(program(false, false)),
      runProgram(program(true, false)),
    ]);
    expect(bare.code).toBe(1);
    expect(wrapped.code).toBe(bare.code);
    expect(bare.stderr).toContain('order 7 refused');
    expect(wrapped.stderr).toContain('order 7 refused');
    expect(wrapped.stdout).not.toContain('still running');
  });

  it('a handled rejection lets both run to the end', async () => {
    expect(existsSync(built), `${built} is missing: run pnpm build`).toBe(true);
    const [bare, wrapped] = await Promise.all([
      runProgram(program(false, true)),
      runProgram(program(true, true)),
    ]);
    expect(bare).toMatchObject({ code: 0, stdout: 'handled: order 7 refused\nstill running\n' });
    expect(wrapped).toMatchObject({ code: 0, stdout: 'handled: order 7 refused\nstill running\n' });
  });
});
