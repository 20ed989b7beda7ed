export {
  type Headers,
  InMemoryBroker,
  type Message,
  type MessageHandler,
  type Subscription,
} from './broker.js';
export { type LiveStats, LiveStatsSampler, quantile, quantileBucketBound } from './live-stats.js';
export type { MetricsFlavor } from './metrics-endpoint.js';
export {
  handlersPerOrder,
  type PipelineCounts,
  type PipelineOptions,
  pipelineNames,
  type RunningPipeline,
  startPipeline,
} from './pipeline.js';
export {
  INVALID_ORDER_EVERY,
  isScenario,
  makeOrder,
  type Order,
  type Payment,
  type Scenario,
  scenarios,
  ValidationError,
  Workload,
} from './workload.js';
