/**
 * The wrappers' default monotonic clock, milliseconds on the `performance.now()` timeline (the one
 * GC entries use). One function shared by every wrapper, so that call sites which see many wrapped
 * handlers still see a single clock and the compiler can inline it: a per-wrapper bound function
 * would return every reading as a heap-allocated number.
 */
export const monotonicClock: () => number = performance.now.bind(performance);
