import { durationBuckets } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { instrumentHandler, instrumentProducer, SignalStore } from '../../src/index.js';

/** Acceptance 2: known durations land in the right buckets; sum and count are exact. */

/** A clock that reads 0 when an event starts and `durations[i]` ms when event i ends. */
function scriptedClock(durations: number[]) {
  let reads = 0;
  return () => {
    const i = reads++;
    return i % 2 === 0 ? 0 : durations[(i - 1) / 2]!;
  };
}

const base = { system: 'inprocess', destination: 'orders', registry: false, runtime: false } as const;

describe('processing-time histogram with an injected clock', () => {
  // ms; on a bound (0.1 ms = 0.0001 s, 10 ms = 0.01 s) a value counts into that bound's bucket.
  const durations = [0.05, 0.1, 0.3, 0.3, 7, 10, 999, 20_000];
  const expectedBucket = [0, 0, 2, 2, 6, 6, 12, 16]; // index into durationBuckets; 16 = +Inf

  it('puts each duration in its bucket, with exact sum and count', () => {
    const store = new SignalStore();
    const handle = instrumentHandler((n: number) => n * 2, {
      ...base,
      store,
      clock: scriptedClock(durations),
      slowThreshold: 0,
    });
    for (let i = 0; i < durations.length; i++) expect(handle(i)).toBe(i * 2);

    const series = store.series('processDuration', {
      'messaging.system': 'inprocess',
      'messaging.destination.name': 'orders',
      'messaging.operation.name': 'process',
    });
    const expected = new Array<number>(durationBuckets.length + 1).fill(0);
    for (const b of expectedBucket) expected[b]!++;
    expect([...series.counts]).toEqual(expected);
    expect(series.count).toBe(durations.length);
    expect(series.sum).toBe(durations.reduce((sum, ms) => sum + ms / 1000, 0));
  });

  it('times a send call the same way', () => {
    const store = new SignalStore();
    const send = instrumentProducer((_message: object) => 'sent', {
      ...base,
      store,
      clock: scriptedClock([2, 40]),
    });
    expect(send({})).toBe('sent');
    expect(send({})).toBe('sent');
    const series = store.series('clientOperationDuration', {
      'messaging.system': 'inprocess',
      'messaging.destination.name': 'orders',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
    });
    expect(series.count).toBe(2);
    expect(series.sum).toBe(2 / 1000 + 40 / 1000);
    expect(series.counts[durationBuckets.indexOf(0.0025)]).toBe(1);
    expect(series.counts[durationBuckets.indexOf(0.05)]).toBe(1);
  });

  it('records event age from the creation-time header against the injected wall clock', () => {
    const store = new SignalStore();
    const created = 1_800_000_000_000;
    const handle = instrumentHandler((_m: object) => undefined, {
      ...base,
      store,
      wallClock: () => created + 1500,
    });
    handle({ headers: { 'eventscope-created': String(created) } });
    const age = store.series('eventAge', {
      'messaging.system': 'inprocess',
      'messaging.destination.name': 'orders',
    });
    expect(age.count).toBe(1);
    expect(age.sum).toBe(1.5);
  });
});
