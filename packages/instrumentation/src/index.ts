export { type FaultLogger, reportFault, setFaultLogger } from './faults.js';
export {
  CounterSeries,
  defaultStore,
  GaugeSeries,
  HistogramSeries,
  type LabelValues,
  SignalFamily,
  SignalStore,
  type SignalStoreOptions,
} from './store.js';
export * from './types.js';
