import type { ProfileName } from './config.js';

/**
 * The time scales of a rule set. `production` uses the windows the SRE workbook and the monitoring
 * mixins use; `test` shrinks them so an end-to-end test sees an alert within seconds of a
 * regression (a one-minute baseline, a 20 s rate window, `for:` in seconds).
 */
export interface Profile {
  readonly name: ProfileName;
  /** Evaluation interval the rules are written for, and the sample step of the generated tests. */
  readonly stepSeconds: number;
  /** Window of `rate()` for current values. */
  readonly rateSeconds: number;
  /** Baselines the latency regression compares against: the label value and its offset. */
  readonly latencyBaselines: readonly { readonly label: string; readonly offsetSeconds: number }[];
  /** Baseline of the throughput-drop alert. */
  readonly throughputBaselineSeconds: number;
  /** Baseline of the heap-floor growth alert, and the window the floor is the minimum over. */
  readonly heapBaselineSeconds: number;
  readonly heapFloorWindowSeconds: number;
  /** Baseline of the GC time share growth alert. */
  readonly gcBaselineSeconds: number;
  /** History `predict_linear` fits the heap trend on. */
  readonly predictionLookbackSeconds: number;
  /** Window restarts are counted in. */
  readonly restartWindowSeconds: number;
  /** Burn-rate windows are the configured (production) ones divided by this. */
  readonly burnWindowDivisor: number;
  /** `for:` durations: short (pages on clear signals), medium, long (slow trends). */
  readonly forSeconds: {
    readonly none: number;
    readonly short: number;
    readonly medium: number;
    readonly long: number;
  };
}

export type ForTier = keyof Profile['forSeconds'];

const HOUR = 3600;
const DAY = 24 * HOUR;

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  production: {
    name: 'production',
    stepSeconds: 60,
    rateSeconds: 5 * 60,
    latencyBaselines: [
      { label: '1w', offsetSeconds: 7 * DAY },
      { label: '1d', offsetSeconds: DAY },
    ],
    throughputBaselineSeconds: 7 * DAY,
    heapBaselineSeconds: 6 * HOUR,
    heapFloorWindowSeconds: HOUR,
    gcBaselineSeconds: DAY,
    predictionLookbackSeconds: 6 * HOUR,
    restartWindowSeconds: HOUR,
    burnWindowDivisor: 1,
    forSeconds: { none: 0, short: 2 * 60, medium: 10 * 60, long: 30 * 60 },
  },
  test: {
    name: 'test',
    stepSeconds: 1,
    rateSeconds: 20,
    latencyBaselines: [{ label: '1m', offsetSeconds: 60 }],
    throughputBaselineSeconds: 60,
    heapBaselineSeconds: 60,
    heapFloorWindowSeconds: 20,
    gcBaselineSeconds: 60,
    predictionLookbackSeconds: 60,
    restartWindowSeconds: 60,
    burnWindowDivisor: 60,
    forSeconds: { none: 0, short: 3, medium: 8, long: 15 },
  },
};

const units: readonly [string, number][] = [
  ['w', 7 * DAY],
  ['d', DAY],
  ['h', HOUR],
  ['m', 60],
  ['s', 1],
];

/** Seconds as a Prometheus duration: 3600 → `1h`, 90 → `1m30s`, 604800 → `1w`. */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`not a whole number of seconds: ${seconds}`);
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A Prometheus duration (`1h30m`, `5m`, `3d`) in seconds, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+[wdhms])+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+)([wdhms])/g)) {
    const size = units.find(([u]) => u === match[2])?.[1] ?? 0;
    total += Number(match[1]) * size;
  }
  return total;
}
