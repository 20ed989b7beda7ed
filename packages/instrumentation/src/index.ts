/**
 * `@eventscope/instrumentation`: wrap event handlers and send functions, keep their series, export
 * them. Every name here is listed, and grouped by what it is for, in the README's API section; the
 * broker adapters, the OpenTelemetry side and the catalog have entry points of their own.
 */

export { instrumentBatchHandler } from './batch.js';
export { PROMETHEUS_CONTENT_TYPE, renderExposition } from './export/exposition.js';
export { ensurePromClientCollector, type PromClientRegistryLike } from './export/prom-client.js';
export { type MetricsServer, type ServeMetricsOptions, serveMetrics } from './export/server.js';
export { type FaultLogger, setFaultLogger } from './faults.js';
export { instrumentHandler } from './handler.js';
export { traceMixin } from './logging.js';
export { instrumentProducer } from './producer.js';
export {
  type PinoLike,
  type RuntimeMetricsOptions,
  startRuntimeMetrics,
  stopRuntimeMetrics,
} from './runtime/index.js';
export { SignalStore, type SignalStoreOptions } from './store.js';
export {
  type BatchHandlerOptions,
  type CarrierReader,
  type CarrierWriter,
  type CommonOptions,
  type DestinationOption,
  type HandlerOptions,
  type HeaderGetter,
  type HeaderSetter,
  headerNames,
  type ProducerOptions,
} from './types.js';
