import { SECONDS } from './durations.js';

/** `production` is what users get by default; `test` shrinks every window so alerts fire within seconds. */
export type ProfileName = 'production' | 'test';
export const profileNames: readonly ProfileName[] = ['production', 'test'];

/**
 * The time scales of a rule set and of the dashboards' comparisons. `production` uses the windows
 * the SRE workbook and the monitoring mixins use; `test` shrinks them so an end-to-end test sees an
 * alert within seconds of a regression (a one-minute baseline, a 20 s rate window, `for:` in seconds).
 */
export interface Profile {
  readonly name: ProfileName;
  /** Evaluation interval the rules are written for, and the sample step of the generated tests. */
  readonly stepSeconds: number;
  /** Window of `rate()` for current values. */
  readonly rateSeconds: number;
  /** Baselines (offsets) regressions compare against when the config names none. */
  readonly baselineSeconds: readonly number[];
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

const { HOUR, DAY, WEEK } = SECONDS;

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  production: {
    name: 'production',
    stepSeconds: 60,
    rateSeconds: 5 * 60,
    baselineSeconds: [DAY, WEEK],
    throughputBaselineSeconds: WEEK,
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
    baselineSeconds: [60],
    throughputBaselineSeconds: 60,
    heapBaselineSeconds: 60,
    heapFloorWindowSeconds: 20,
    gcBaselineSeconds: 60,
    predictionLookbackSeconds: 60,
    restartWindowSeconds: 60,
    burnWindowDivisor: 60,
    // `medium` is a rate window and a half, as production's ten minutes are two of its five: a
    // blip shorter than that (a loaded CI machine doubling a p99 for 17 s) tickets nobody.
    forSeconds: { none: 0, short: 3, medium: 30, long: 45 },
  },
};
