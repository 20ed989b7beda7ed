// The signal catalog, re-exported so users of the instrumentation need one import path.
export * from '@eventscope/catalog';
