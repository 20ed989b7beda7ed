import { reportFault } from '../faults.js';
import { defaultStore, type SignalStore } from '../store.js';
import { sampleCpu, sampleEventLoop } from './event-loop.js';
import { observeGc, stopObservingGc } from './gc.js';
import { sampleHeap } from './heap.js';
import { startLoopBlockSampler, stopLoopBlockSampler } from './loop-blocks.js';
import { configureSlowEvents, flushSlowEvents, type PinoLike } from './slow-events.js';

/**
 * Runtime signals — GC pauses, heap, RSS, CPU time, event-loop time and delay — and the GC
 * attribution behind slow-event reports. The wrappers start them for their store when a handler
 * is wrapped (unless `runtime: false`); `stopRuntimeMetrics()` stops everything and leaves no
 * timer, observer or listener behind. Every timer is unref'd: the runtime never keeps a process
 * alive.
 */

export type { PinoLike } from './slow-events.js';

export interface RuntimeMetricsOptions {
  /** The store to record into. Default: the shared store. */
  store?: SignalStore;
  /** Where slow-event lines go (the application's pino logger). Default: JSON lines on stderr; `false` for none. */
  logger?: PinoLike | false;
  /** At most this many slow-event lines per second; all slow events are counted. Default 10. */
  slowEventLogsPerSecond?: number;
  /** How long a slow event is held for its GC entries to arrive before it is reported. Default 100 ms. */
  slowEventSettleMs?: number;
  /**
   * @deprecated Ignored: the event-loop delay is now measured by the lag sampler, whose interval is
   * `loopBlockSampleMs`, and no longer by a resolution-bound `monitorEventLoopDelay` histogram.
   */
  loopDelayResolutionMs?: number;
  /**
   * Interval of the lag sampler that finds blocked-loop stretches for attribution and whose every
   * tick's lateness is a sample of the event-loop delay histogram. Default 10 ms.
   */
  loopBlockSampleMs?: number;
}

interface StoreRuntime {
  stop(): void;
}

const running = new Map<SignalStore, StoreRuntime>();
let loopBlockSampleMs = 10;

function startFor(store: SignalStore): void {
  if (running.has(store)) return;
  try {
    observeGc(store);
    startLoopBlockSampler(loopBlockSampleMs);
    const loop = sampleEventLoop(store);
    const unhookLoop = store.onCollect(loop.collect);
    const unhookHeap = store.onCollect(sampleHeap(store));
    const unhookCpu = store.onCollect(sampleCpu(store));
    running.set(store, {
      stop() {
        unhookCpu();
        unhookHeap();
        unhookLoop();
        loop.stop();
      },
    });
  } catch (error) {
    reportFault('runtime', error, store);
  }
}

/** Start the runtime signals for a store (the shared one by default) and configure slow-event reports. */
export function startRuntimeMetrics(options: RuntimeMetricsOptions = {}): void {
  configureSlowEvents({
    logger: options.logger,
    logsPerSecond: options.slowEventLogsPerSecond,
    settleMs: options.slowEventSettleMs,
  });
  if (options.loopBlockSampleMs !== undefined) loopBlockSampleMs = options.loopBlockSampleMs;
  startFor(options.store ?? defaultStore);
}

/** Start the runtime signals for a store unless they run already (the wrappers call this at wrap time). */
export function ensureRuntimeMetrics(store: SignalStore): void {
  if (!running.has(store)) startFor(store);
}

/** Whether runtime signals run for a store. */
export function runtimeMetricsRunning(store: SignalStore = defaultStore): boolean {
  return running.has(store);
}

/**
 * Stop every runtime signal of every store: the GC observer, the loop samplers and the slow-event
 * timers. Held slow events are reported first, with what is known of them.
 */
export function stopRuntimeMetrics(): void {
  for (const runtime of running.values()) runtime.stop();
  running.clear();
  stopObservingGc();
  stopLoopBlockSampler();
  flushSlowEvents();
}
