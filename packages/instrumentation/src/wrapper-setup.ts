import { attributes } from '@eventscope/catalog';
import { ensurePromClientCollector } from './export/prom-client.js';
import { reportFault, zeroFaultCounters } from './faults.js';
import { ensureRuntimeMetrics } from './runtime/index.js';
import { defaultStore, type SignalStore } from './store.js';
import type { CommonOptions } from './types.js';

/**
 * What every wrapper — consumer or producer — does once, when it wraps: check the options they all
 * share, choose the store, and hook the store up to prom-client and the runtime signals. Throws only
 * for options that cannot work (the caller's mistake, at wrap time); export and runtime faults are
 * counted, never thrown.
 */
export function prepareWrapper(options: CommonOptions, wrapper: string): SignalStore {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${wrapper}: options are required, e.g. { system: 'nats', destination: 'orders' }`);
  }
  if (typeof options.system !== 'string' || options.system === '') {
    throw new TypeError(
      `${wrapper}: options.system must name the messaging system (messaging.system), e.g. 'nats', 'rabbitmq', 'inprocess'`,
    );
  }
  const store = options.store ?? defaultStore;
  // Counters that must exist at 0 before their first increment, or increase() never sees it.
  zeroFaultCounters(store);
  store.series('labelOverflow', { [attributes.system]: options.system });
  try {
    ensurePromClientCollector(store, options.registry ?? 'global');
  } catch (error) {
    reportFault('prom-client', error, store);
  }
  if (options.runtime !== false) {
    try {
      ensureRuntimeMetrics(store);
    } catch (error) {
      reportFault('runtime', error, store);
    }
  }
  return store;
}
