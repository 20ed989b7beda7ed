import { type SignalDefinition, type SignalKey, signals } from '@eventscope/catalog';
import {
  type HistogramPart,
  label,
  leValue,
  num,
  type Queries,
  SCRAPE_HEALTH_SERIES,
} from '@eventscope/config/promql';

/**
 * Synthetic series for the generated `promtool test rules` cases. A scenario has two phases: a
 * healthy one from time 0, and from `onset` on the condition an alert watches for (or, for the
 * quiet cases, more of the same). Series are written in promtool's expanding notation.
 */

export interface InputSeries {
  series: string;
  values: string;
}

/** Steps are samples `stepSeconds` apart; the second phase starts at step `onset`, the last sample is step `end`. */
export interface Timeline {
  stepSeconds: number;
  onset: number;
  end: number;
}

const bucketsOf = (signal: SignalKey): readonly number[] =>
  (signals[signal] as SignalDefinition).buckets ?? [];

function seriesName(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${pairs.join(', ')}}`;
}

/** A counter increasing by `before` per second until the onset, by `after` per second from it. */
function counterValues(t: Timeline, beforePerSecond: number, afterPerSecond: number): string {
  const d1 = beforePerSecond * t.stepSeconds;
  const d2 = afterPerSecond * t.stepSeconds;
  const lastBefore = (t.onset - 1) * d1;
  return `0+${num(d1)}x${t.onset - 1} ${num(lastBefore + d2)}+${num(d2)}x${t.end - t.onset}`;
}

/** A gauge at `before` until the onset, then `after` (each a constant, or a start and a slope per second). */
function gaugeValues(
  t: Timeline,
  before: number | { start: number; perSecond: number },
  after: number | { start: number; perSecond: number },
): string {
  const part = (phase: number | { start: number; perSecond: number }, steps: number) =>
    typeof phase === 'number'
      ? `${num(phase)}+0x${steps}`
      : `${num(phase.start)}+${num(phase.perSecond * t.stepSeconds)}x${steps}`;
  return `${part(before, t.onset - 1)} ${part(after, t.end - t.onset)}`;
}

/** Events per second and the value every one of them observes, for one phase of a histogram. */
export interface Observations {
  perSecond: number;
  value: number;
}

export class SeriesBuilder {
  readonly series: InputSeries[] = [];
  constructor(
    readonly q: Queries,
    readonly t: Timeline,
  ) {}

  /** A signal's series name with its labels, and the scope label the otel flavor's exporter adds. */
  private signalSeries(signal: SignalKey, labels: Record<string, string>, part?: HistogramPart): string {
    return seriesName(this.q.name(signal, part), { ...labels, ...this.q.ownLabels });
  }

  counter(
    signal: SignalKey,
    labels: Record<string, string>,
    before: number,
    after: number,
    part?: HistogramPart,
  ): void {
    this.series.push({
      series: this.signalSeries(signal, labels, part),
      values: counterValues(this.t, before, after),
    });
  }

  gauge(
    signal: SignalKey,
    labels: Record<string, string>,
    before: number | { start: number; perSecond: number },
    after: number | { start: number; perSecond: number } = before,
  ): void {
    this.series.push({
      series: this.signalSeries(signal, labels),
      values: gaugeValues(this.t, before, after),
    });
  }

  /** A series written directly in promtool's notation. */
  raw(signal: SignalKey, labels: Record<string, string>, values: string, part?: HistogramPart): void {
    this.series.push({ series: this.signalSeries(signal, labels, part), values });
  }

  scrapeHealth(labels: Record<string, string>, before: number, after: number): void {
    this.series.push({
      series: seriesName(SCRAPE_HEALTH_SERIES, labels),
      values: gaugeValues(this.t, before, after),
    });
  }

  /** Every bucket, the count and the sum of a histogram signal, as a client library would expose them. */
  histogram(
    signal: SignalKey,
    labels: Record<string, string>,
    before: Observations | Observations[],
    after: Observations | Observations[],
  ): void {
    const bounds = [...bucketsOf(signal), Number.POSITIVE_INFINITY];
    const total = (phase: Observations | Observations[], f: (o: Observations) => number) =>
      (Array.isArray(phase) ? phase : [phase]).reduce((sum, o) => sum + f(o), 0);
    for (const bound of bounds) {
      const inBucket = (o: Observations) => (o.value <= bound ? o.perSecond : 0);
      this.counter(
        signal,
        { ...labels, [label.le]: leValue(bound) },
        total(before, inBucket),
        total(after, inBucket),
        'bucket',
      );
    }
    const count = (o: Observations) => o.perSecond;
    const sum = (o: Observations) => o.perSecond * o.value;
    this.counter(signal, labels, total(before, count), total(after, count), 'count');
    this.counter(signal, labels, total(before, sum), total(after, sum), 'sum');
  }

  /**
   * Failed handler calls as the instrumentation records them: the `processDuration` series of
   * their `error.type` (the breakdown by type) and the failure counter without it, which counts
   * the same calls (the error ratio's numerator).
   */
  failures(
    labels: Record<string, string>,
    errorType: string,
    before: Observations,
    after: Observations,
  ): void {
    this.histogram('processDuration', { ...labels, [label.errorType]: errorType }, before, after);
    this.counter('failedEvents', labels, before.perSecond, after.perSecond);
  }
}

/**
 * What `histogram_quantile(q, …)` returns when every observation equals `value`: linear
 * interpolation inside the bucket that holds it.
 */
export function quantileOfConstant(signal: SignalKey, q: number, value: number): number {
  const bounds = bucketsOf(signal);
  const index = bounds.findIndex((b) => value <= b);
  if (index < 0) return bounds[bounds.length - 1] ?? 0;
  const upper = bounds[index]!;
  const lower = index === 0 ? 0 : bounds[index - 1]!;
  return lower + (upper - lower) * q;
}

/**
 * A value which, observed by every event, puts `histogram_quantile(q, …)` above `target`: the
 * upper bound of the first bucket whose interpolated quantile exceeds it.
 */
export function observationAbove(signal: SignalKey, q: number, target: number): number {
  const bounds = bucketsOf(signal);
  const found = bounds.find((b) => quantileOfConstant(signal, q, b) > target);
  if (found === undefined) {
    throw new Error(
      `no ${signals[signal].name} bucket puts the ${q} quantile above ${target}; the threshold is beyond the histogram's range`,
    );
  }
  return found;
}
