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
export function reportFault(component: string, error: unknown, store: SignalStore = defaultStore): void {
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
