import { attributes, type SignalKey } from '@eventscope/catalog';
import type { SignalStore } from '@eventscope/instrumentation';
// Reads the store's series directly, as only a live view in the same process needs to.
import type { CounterSeries, GaugeSeries, HistogramSeries } from '@eventscope/instrumentation/internal';

/**
 * What the demo's terminal view shows, computed from the store the pipeline records into: the
 * same numbers /metrics exposes, differenced over a sliding window the way `rate()` and
 * `histogram_quantile()` would.
 */
export interface LiveStats {
  /** Seconds the figures cover. */
  windowSeconds: number;
  eventsPerSecond: number;
  errorsPerSecond: number;
  /** Handler processing time, seconds; NaN before any event. */
  latencyP50: number;
  latencyP99: number;
  /** Event age at processing start, seconds. */
  eventAgeP99: number;
  gcPausesPerSecond: number;
  /** GC pause, seconds. */
  gcPauseP99: number;
  /** Share of wall-clock time the process spent in GC pauses (0–1). */
  gcTimeShare: number;
  /** Share of handler time that GC pauses overlapped (0–1). */
  handlerGcShare: number;
  heapUsedBytes: number;
  heapLimitBytes: number;
  /** Slow events in the window, by dominant cause. */
  slowByCause: Record<'gc' | 'event_loop' | 'handler', number>;
  /** Slow events since start, by dominant cause. */
  slowTotalByCause: Record<'gc' | 'event_loop' | 'handler', number>;
  /**
   * The quantiles above as the histograms know them: the upper bound of the bucket each falls in
   * (seconds; Infinity past the last bound, NaN when empty). `atMost.latencyP99` = 0.01 means at
   * least 99 % of the window's events took at most 10 ms. The figures above interpolate inside
   * that bucket, as `histogram_quantile` does, and so look more precise than the data is.
   */
  atMost: Record<'latencyP50' | 'latencyP99' | 'eventAgeP99' | 'gcPauseP99', number>;
}

interface Snapshot {
  at: number;
  process: HistogramTotals;
  age: HistogramTotals;
  gc: HistogramTotals;
  errors: number;
  gcOverlap: number;
  slow: Record<'gc' | 'event_loop' | 'handler', number>;
}

interface HistogramTotals {
  bounds: readonly number[];
  counts: Float64Array;
  sum: number;
  count: number;
}

const causes = ['gc', 'event_loop', 'handler'] as const;

/** Keeps recent snapshots of the store and answers for the window they span. */
export class LiveStatsSampler {
  private readonly snapshots: Snapshot[] = [];

  constructor(
    private readonly store: SignalStore,
    /** Window the figures are computed over, seconds. */
    private readonly windowSeconds = 5,
  ) {}

  /** Take a snapshot now and return the figures over the window ending now. */
  sample(now = performance.now()): LiveStats {
    this.store.collect();
    const current = this.snapshot(now);
    this.snapshots.push(current);
    while (this.snapshots.length > 2 && now - this.snapshots[1]!.at >= this.windowSeconds * 1000) {
      this.snapshots.shift();
    }
    const first = this.snapshots[0]!;
    const seconds = Math.max((current.at - first.at) / 1000, 1e-9);
    const processDelta = histogramDelta(current.process, first.process);
    const ageDelta = histogramDelta(current.age, first.age);
    const gcDelta = histogramDelta(current.gc, first.gc);
    const windowed = this.snapshots.length > 1;
    return {
      windowSeconds: windowed ? seconds : 0,
      eventsPerSecond: windowed ? processDelta.count / seconds : 0,
      errorsPerSecond: windowed ? (current.errors - first.errors) / seconds : 0,
      latencyP50: quantile(0.5, processDelta),
      latencyP99: quantile(0.99, processDelta),
      eventAgeP99: quantile(0.99, ageDelta),
      gcPausesPerSecond: windowed ? gcDelta.count / seconds : 0,
      gcPauseP99: quantile(0.99, gcDelta),
      gcTimeShare: windowed ? Math.min(1, gcDelta.sum / seconds) : 0,
      handlerGcShare:
        processDelta.sum > 0 ? Math.min(1, (current.gcOverlap - first.gcOverlap) / processDelta.sum) : 0,
      heapUsedBytes: this.gaugeSum('heapUsed'),
      heapLimitBytes: this.gaugeSum('heapSizeLimit'),
      slowByCause: {
        gc: current.slow.gc - first.slow.gc,
        event_loop: current.slow.event_loop - first.slow.event_loop,
        handler: current.slow.handler - first.slow.handler,
      },
      slowTotalByCause: { ...current.slow },
      atMost: {
        latencyP50: quantileBucketBound(0.5, processDelta),
        latencyP99: quantileBucketBound(0.99, processDelta),
        eventAgeP99: quantileBucketBound(0.99, ageDelta),
        gcPauseP99: quantileBucketBound(0.99, gcDelta),
      },
    };
  }

  private snapshot(at: number): Snapshot {
    const errorIndex = this.store.family('processDuration').signal.labels.indexOf(attributes.errorType);
    let errors = 0;
    for (const series of this.store.family('processDuration').series.values()) {
      if (series.values[errorIndex]) errors += series.count;
    }
    const slow = { gc: 0, event_loop: 0, handler: 0 };
    const slowFamily = this.store.family('slowEvents');
    const causeIndex = slowFamily.signal.labels.indexOf(attributes.slowCause);
    for (const series of slowFamily.series.values()) {
      const cause = series.values[causeIndex] as (typeof causes)[number] | undefined;
      if (cause && cause in slow) slow[cause] += series.value;
    }
    return {
      at,
      process: this.histogramTotals('processDuration'),
      age: this.histogramTotals('eventAge'),
      gc: this.histogramTotals('gcDuration'),
      errors,
      gcOverlap: this.counterSum('gcOverlap'),
      slow,
    };
  }

  private histogramTotals(key: SignalKey): HistogramTotals {
    const family = this.store.family(key);
    const bounds = family.signal.buckets ?? [];
    const totals: HistogramTotals = { bounds, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
    for (const series of family.series.values()) {
      const histogram = series as unknown as HistogramSeries;
      for (let i = 0; i < totals.counts.length; i++) totals.counts[i]! += histogram.counts[i] ?? 0;
      totals.sum += histogram.sum;
      totals.count += histogram.count;
    }
    return totals;
  }

  private counterSum(key: SignalKey): number {
    let total = 0;
    for (const series of this.store.family(key).series.values()) total += (series as CounterSeries).value;
    return total;
  }

  private gaugeSum(key: SignalKey): number {
    let total = 0;
    for (const series of this.store.family(key).series.values()) total += (series as GaugeSeries).value;
    return total;
  }
}

function histogramDelta(later: HistogramTotals, earlier: HistogramTotals): HistogramTotals {
  const counts = new Float64Array(later.counts.length);
  for (let i = 0; i < counts.length; i++) counts[i] = later.counts[i]! - (earlier.counts[i] ?? 0);
  return { bounds: later.bounds, counts, sum: later.sum - earlier.sum, count: later.count - earlier.count };
}

/**
 * The upper bound of the bucket the q-quantile falls in: at least a share q of the observations
 * are at most this. Infinity when it falls past the last finite bound; NaN when empty.
 */
export function quantileBucketBound(
  q: number,
  histogram: Pick<HistogramTotals, 'bounds' | 'counts'>,
): number {
  let total = 0;
  for (const c of histogram.counts) total += c;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let running = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    running += histogram.counts[i]!;
    if (running >= rank && histogram.counts[i]! > 0) return histogram.bounds[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The q-quantile of a bucketed distribution, interpolated linearly inside the bucket as
 * Prometheus' `histogram_quantile` does; NaN when empty.
 */
export function quantile(q: number, histogram: Pick<HistogramTotals, 'bounds' | 'counts'>): number {
  let total = 0;
  for (const c of histogram.counts) total += c;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let running = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    const count = histogram.counts[i]!;
    if (running + count >= rank && count > 0) {
      const upper = histogram.bounds[i];
      // The +Inf bucket: like Prometheus, answer with the highest finite bound.
      if (upper === undefined) return histogram.bounds[histogram.bounds.length - 1] ?? Number.NaN;
      const lower = i === 0 ? 0 : histogram.bounds[i - 1]!;
      return lower + ((upper - lower) * (rank - running)) / count;
    }
    running += count;
  }
  return histogram.bounds[histogram.bounds.length - 1] ?? Number.NaN;
}
