import { attributes } from '@eventscope/catalog';
import { type CounterSeries, defaultStore, type SignalStore } from './store.js';

/**
 * Instrumentation faults — a throwing header getter, an exporter failure, an observer error —
 * are counted in `eventscope.instrumentation.errors` and logged (rate-limited), never thrown into
 * the user's code.
 */

export interface FaultLogger {
  warn: (obj: object, msg?: string) => void;
}

/**
 * The components that report faults, besides each adapter's `adapter.<system>.settle`. Their
 * series are made at 0 when a store is first used by a wrapper (`zeroFaultCounters`): a counter
 * that first appears at 1 is invisible to increase(), so the first fault would never alert.
 */
export const faultComponents = [
  'backlog',
  'carrier',
  'collect',
  'destination',
  'gc',
  'handler',
  'metrics-server',
  'otel-producer',
  'otel-shutdown',
  'producer',
  'prom-client',
  'runtime',
  'slow-events',
  'thenable',
  'tracing',
] as const;

/** The fault counter of one component, at 0 until its first fault. */
export function zeroFaultCounter(component: string, store: SignalStore): void {
  store.series('instrumentationErrors', { [attributes.component]: component });
}

const zeroed = new WeakSet<SignalStore>();
/** Every component's fault counter at 0, once per store. */
export function zeroFaultCounters(store: SignalStore): void {
  if (zeroed.has(store)) return;
  zeroed.add(store);
  for (const component of faultComponents) zeroFaultCounter(component, store);
}

let logger: FaultLogger | undefined;
interface FaultEntry {
  series: CounterSeries;
  lastLogged: number;
  suppressed: number;
}
const entries = new WeakMap<SignalStore, Map<string, FaultEntry>>();
const LOG_INTERVAL_MS = 10_000;

/** Where fault messages go (a pino logger, or anything with `warn(obj, msg)`). Default: none. */
export function setFaultLogger(next: FaultLogger | undefined): void {
  logger = next;
}

/** Count (and, at most once per 10 s per component, log) a fault. Never throws. */
export function reportFault(
  component: (typeof faultComponents)[number] | `adapter.${string}.settle`,
  error: unknown,
  store: SignalStore = defaultStore,
): void {
  try {
    let byComponent = entries.get(store);
    if (!byComponent) entries.set(store, (byComponent = new Map()));
    let entry = byComponent.get(component);
    if (!entry) {
      entry = {
        series: store.series('instrumentationErrors', { [attributes.component]: component }),
        lastLogged: 0,
        suppressed: 0,
      };
      byComponent.set(component, entry);
    }
    entry.series.add(1);
    const now = Date.now();
    if (logger && now - entry.lastLogged >= LOG_INTERVAL_MS) {
      logger.warn(
        { component, err: error, suppressed: entry.suppressed },
        `eventscope: ${component} fault (counted in eventscope.instrumentation.errors)`,
      );
      entry.lastLogged = now;
      entry.suppressed = 0;
    } else {
      entry.suppressed++;
    }
  } catch {
    // Reporting a fault must never become one.
  }
}
