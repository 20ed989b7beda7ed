export * from './alertmanager.js';
export * from './components.js';
export * from './example-process.js';
export * from './exposition.js';
export * from './process.js';
export * from './prometheus.js';
export * from './promql.js';
