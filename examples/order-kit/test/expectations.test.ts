import { describe, expect, it } from 'vitest';
import { everyOrderOnce } from '../src/testing/expectations.js';
import type { BilledRun } from '../src/testing/order-runs.js';

const counted: BilledRun = {
  sent: 3,
  billed: 3,
  exit: { code: 0, signal: null },
  signals: {
    sent: 3,
    consumed: 3,
    eventAges: 3,
    eventAgesInInfBucket: 3,
    meanEventAgeSeconds: 0.01,
    acks: 3,
    propagationErrors: 0,
    failedSeries: [],
  },
};

describe('everyOrderOnce, what the broker examples’ tests expect of a run', () => {
  it('accepts a run that counted every order once and exited 0', () => {
    expect(counted).toMatchObject(everyOrderOnce(3));
  });

  it.each([
    ['an order consumed twice', { signals: { ...counted.signals, consumed: 4 } }],
    ['an order never aged', { signals: { ...counted.signals, eventAges: 2 } }],
    ['a lost +Inf bucket', { signals: { ...counted.signals, eventAgesInInfBucket: 0 } }],
    ['a negative mean age', { signals: { ...counted.signals, meanEventAgeSeconds: -1 } }],
    ['an implausible mean age', { signals: { ...counted.signals, meanEventAgeSeconds: 31 } }],
    [
      'a failed order',
      { signals: { ...counted.signals, failedSeries: [{ name: 'x', labels: {}, value: 1 }] } },
    ],
    ['an order not billed', { billed: 2 }],
    ['exit code 1', { exit: { code: 1, signal: null } }],
  ])('refuses %s', (_, change) => {
    expect(() => expect({ ...counted, ...change }).toMatchObject(everyOrderOnce(3))).toThrow();
  });
});
