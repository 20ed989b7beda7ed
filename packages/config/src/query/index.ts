export * from './quantities.js';
export * from './vocabulary.js';
