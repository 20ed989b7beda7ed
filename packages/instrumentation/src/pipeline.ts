import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Pipeline age across hops. An event's own age restarts at every hop (each producer stamps a new
 * creation time); the pipeline's origin time travels on: an instrumented consumer runs its handler
 * inside the origin of the event it processes, and an instrumented producer called from there writes
 * that origin into the outgoing message (`eventscope-origin`). Each hop then records both ages.
 */

const origins = new AsyncLocalStorage<number>();

/** Origin time (epoch ms) of the pipeline whose event is being handled here, if any. */
export function pipelineOrigin(): number | undefined {
  return origins.getStore();
}

/** Run `fn` as part of the pipeline that started at `origin` (epoch ms). */
export function runInPipeline<R>(origin: number, fn: () => R): R {
  return origins.run(origin, fn);
}
