import { PerformanceObserver } from 'node:perf_hooks';
import { attributes, metricName } from '@eventscope/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntimeMetrics, stopRuntimeMetrics } from '../../src/runtime/index.js';
import { type HistogramSeries, SignalStore } from '../../src/store.js';
import { exposeGc, settle } from './expose-gc.js';

const gc = exposeGc();
const store = new SignalStore();
let entriesSeen = 0;
let firstEntriesOnly = 0; // what a collector reading only list.getEntries()[0] would count
let largestBatch = 0;
let durationSumMs = 0;
const observer = new PerformanceObserver((list) => {
  const entries = list.getEntries();
  entriesSeen += entries.length;
  firstEntriesOnly += 1;
  largestBatch = Math.max(largestBatch, entries.length);
  for (const entry of entries) durationSumMs += entry.duration;
});

beforeAll(() => {
  observer.observe({ entryTypes: ['gc'] });
  startRuntimeMetrics({ store, logger: false });
});

afterAll(() => {
  stopRuntimeMetrics();
  observer.disconnect();
});

function gcSeries(): HistogramSeries[] {
  return [...store.family('gcDuration').series.values()];
}
const totalCount = () => gcSeries().reduce((n, s) => n + s.count, 0);
const totalSum = () => gcSeries().reduce((n, s) => n + s.sum, 0);

describe('v8js.gc.duration', () => {
  it('has a series per GC type, in seconds, with buckets from 0.1 ms', () => {
    const family = store.family('gcDuration');
    expect(metricName(family.signal)).toBe('v8js_gc_duration_seconds');
    expect(gcSeries().map((s) => s.values[0])).toEqual(['major', 'minor', 'incremental', 'weakcb']);
    expect(family.signal.labels).toEqual([attributes.gcType]);
    expect(gcSeries()[0]?.bounds[0]).toBe(0.0001);
  });

  it('counts every entry of every batched observer callback', async () => {
    await settle();
    const countBefore = totalCount();
    const sumBefore = totalSum();
    const seenBefore = entriesSeen;
    const firstBefore = firstEntriesOnly;
    const sumSeenBefore = durationSumMs;

    // Bursts of collections in one synchronous stretch: their entries reach the observers in one
    // callback, since the observer cannot run before the loop turns.
    const garbage: unknown[] = [];
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 1000; j++) garbage.push({ j, text: `item ${j}` });
        gc();
      }
      garbage.length = 0;
      await settle(5);
    }
    await settle();

    const seen = entriesSeen - seenBefore;
    expect(largestBatch).toBeGreaterThan(1);
    expect(firstEntriesOnly - firstBefore).toBeLessThan(seen); // reading only the first would lose some
    expect(seen).toBeGreaterThanOrEqual(50);
    expect(totalCount() - countBefore).toBe(seen);
    expect((totalSum() - sumBefore) * 1000).toBeCloseTo(durationSumMs - sumSeenBefore, 6);
    const major = gcSeries().find((s) => s.values[0] === 'major')!;
    expect(major.count).toBeGreaterThanOrEqual(50);
  });
});
