export { everyOrderOnce } from './expectations.js';
export { describeOrderExampleLifecycle, type OrderExampleUnderTest } from './lifecycle-suite.js';
export {
  type BilledRun,
  type OrderRoute,
  type OrderSignals,
  orderSignals,
  runUntilDone,
  sendAndBill,
  uniqueSuffix,
} from './order-runs.js';
