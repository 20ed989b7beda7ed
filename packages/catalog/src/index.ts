export * from './conventions.js';
export * from './docs.js';
export * from './naming.js';
export * from './signals.js';
