export { errorType, MAX_ERROR_TYPES } from './error-type.js';
export { PROMETHEUS_CONTENT_TYPE, renderExposition } from './export/exposition.js';
export { ensurePromClientCollector, type PromClientRegistryLike } from './export/prom-client.js';
export { type MetricsServer, type ServeMetricsOptions, serveMetrics } from './export/server.js';
export { type FaultLogger, reportFault, setFaultLogger } from './faults.js';
export { instrumentBatchHandler, instrumentHandler } from './handler.js';
export { traceMixin } from './logging.js';
export { pipelineOrigin, runInPipeline } from './pipeline.js';
export { instrumentProducer } from './producer.js';
export {
  defaultCarrierReader,
  defaultCarrierWriter,
  formatEpochMillis,
  formatTraceparent,
  getHeader,
  headerText,
  isValidTracestate,
  parseEpochMillis,
  parseTraceparent,
  plausibleEpochMillis,
  setHeader,
} from './propagation.js';
export { recordEventInterval } from './runtime/attribution.js';
export { type AttributionTarget, createAttributionTarget } from './runtime/attribution-target.js';
export { type GcKind, gcKinds } from './runtime/gc-kinds.js';
export {
  ensureRuntimeMetrics,
  type PinoLike,
  type RuntimeMetricsOptions,
  runtimeMetricsRunning,
  startRuntimeMetrics,
  stopRuntimeMetrics,
} from './runtime/index.js';
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
