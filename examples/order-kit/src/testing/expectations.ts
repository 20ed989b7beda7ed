import { expect } from 'vitest';

/** Seconds an order may wait on average on an idle test broker; far more means ages are wrong. */
const PLAUSIBLE_MEAN_AGE_SECONDS = 30;

/**
 * What `sendAndBill` must return for `count` orders: every order sent, billed, consumed and aged
 * exactly once, none failed, a plausible mean age, and a clean exit. For `toMatchObject`.
 */
export function everyOrderOnce(count: number) {
  return {
    sent: count,
    billed: count,
    exit: { code: 0, signal: null },
    signals: {
      sent: count,
      consumed: count,
      eventAges: count,
      eventAgesInInfBucket: count,
      failedSeries: [],
      meanEventAgeSeconds: expect.toSatisfy(
        (seconds: number) => seconds >= 0 && seconds < PLAUSIBLE_MEAN_AGE_SECONDS,
        `a mean event age from 0 to ${PLAUSIBLE_MEAN_AGE_SECONDS} s`,
      ),
    },
  };
}
