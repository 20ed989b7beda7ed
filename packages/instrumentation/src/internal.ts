/**
 * `@eventscope/instrumentation/internal`: the series of a store as its exporters read them — for
 * code that reads a store directly, such as the in-process example's live terminal view. Not part
 * of the stable API: these shapes follow the hot path and change with it. For the numbers
 * themselves, read /metrics or the OpenTelemetry MetricProducer instead.
 */
export {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  type LabelValues,
  type Series,
  SignalFamily,
} from './store.js';
