export { type BrokerFlag, parseRunOptions, type RunOptions, UsageError, usage } from './command-line.js';
export { type OrderExample, runOrderExample } from './order-example.js';
export { decodeOrder, encodeOrder, Ledger, type Order, orderNumber } from './orders.js';
export { type OrderFlow, runOrderFlow } from './run.js';
export { type SendPlan, sendOrders, waitUntilBilled } from './send-orders.js';
