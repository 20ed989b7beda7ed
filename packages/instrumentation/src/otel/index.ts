/**
 * `@eventscope/instrumentation/otel`: the OpenTelemetry SDK side, kept out of the main entry point
 * so that wrapping a handler never loads the SDK.
 */
export { createMetricProducer, instrumentationScope } from './metric-producer.js';
export {
  type RunningTelemetry,
  type ShutdownResult,
  startTelemetry,
  type TelemetryOptions,
} from './telemetry.js';
