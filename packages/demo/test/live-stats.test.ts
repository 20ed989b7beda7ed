import { describe, expect, it } from 'vitest';
import { quantile, quantileBucketBound } from '../src/live-stats.js';

const bounds = [0.001, 0.005, 0.01];

describe('quantiles from bucket counts', () => {
  it('interpolation invents precision; the bucket bound says what is known', () => {
    // 100 events, all between 5 and 10 ms: p99 "9.95 ms" is a guess, "≤ 10 ms" is measured.
    const histogram = { bounds, counts: Float64Array.from([0, 0, 100, 0]) };
    expect(quantile(0.99, histogram)).toBeCloseTo(0.00995, 6);
    expect(quantileBucketBound(0.99, histogram)).toBe(0.01);
    expect(quantileBucketBound(0.5, histogram)).toBe(0.01);
  });

  it('takes the first bucket whose cumulative count reaches the rank', () => {
    const histogram = { bounds, counts: Float64Array.from([10, 80, 9, 1]) };
    expect(quantileBucketBound(0.1, histogram)).toBe(0.001);
    expect(quantileBucketBound(0.5, histogram)).toBe(0.005);
    expect(quantileBucketBound(0.99, histogram)).toBe(0.01);
  });

  it('is Infinity past the last bound and NaN without observations', () => {
    const histogram = { bounds, counts: Float64Array.from([0, 90, 5, 5]) };
    expect(quantileBucketBound(0.99, histogram)).toBe(Number.POSITIVE_INFINITY);
    // Prometheus' histogram_quantile answers the last finite bound there, which reads as "at most".
    expect(quantile(0.99, histogram)).toBe(0.01);
    expect(quantileBucketBound(0.99, { bounds, counts: new Float64Array(4) })).toBeNaN();
  });
});
