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
