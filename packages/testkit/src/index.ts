export * from './alertmanager.js';
export * from './components.js';
export * from './process.js';
export * from './prometheus.js';
