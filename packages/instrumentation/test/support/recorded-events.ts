import { attributes } from '@eventscope/catalog';
import { SignalStore } from '../../src/store.js';

/** Destination names an exporter must escape: quotes, backslashes, newlines, non-ASCII. */
export const awkwardDestinations = [
  'orders.created',
  'say "hello"',
  'C:\\queues\\payments',
  'line one\nline two',
  'zahlungen.bestätigt',
  '注文.作成',
  'rocket 🚀 launches',
  'trailing backslash \\',
] as const;

export interface RecordedEvents {
  store: SignalStore;
  /** Events processed per destination (all outcomes). */
  processed: Map<string, number>;
  /** Events that failed per destination. */
  failed: Map<string, number>;
}

/**
 * A store with a known history: per destination, a fixed number of events with known durations
 * (some failing with error.type ValidationError), their consumed counts, in-flight and heap gauges.
 */
export function recordEvents(store = new SignalStore()): RecordedEvents {
  const processed = new Map<string, number>();
  const failed = new Map<string, number>();
  awkwardDestinations.forEach((destination, d) => {
    const base = {
      [attributes.system]: 'inprocess',
      [attributes.destination]: destination,
      [attributes.operationName]: 'process',
      [attributes.consumerGroup]: 'billing',
    };
    const ok = store.series('processDuration', base);
    const bad = store.series('processDuration', { ...base, [attributes.errorType]: 'ValidationError' });
    const consumedOk = store.series('consumedMessages', base);
    const consumedBad = store.series('consumedMessages', {
      ...base,
      [attributes.errorType]: 'ValidationError',
    });
    const events = 50 + d * 7;
    let failures = 0;
    for (let i = 0; i < events; i++) {
      // Durations from 50 µs to ~20 s, so every bucket including +Inf sees events.
      const seconds = 0.00005 * 1.9 ** (i % 20);
      if (i % 10 === 3) {
        bad.observe(seconds);
        consumedBad.add(1);
        failures++;
      } else {
        ok.observe(seconds);
        consumedOk.add(1);
      }
    }
    processed.set(destination, events);
    failed.set(destination, failures);
    store
      .series('inFlight', {
        [attributes.system]: 'inprocess',
        [attributes.destination]: destination,
        [attributes.consumerGroup]: 'billing',
      })
      .set(d % 3);
  });
  store.series('heapUsed', { [attributes.heapSpace]: 'new_space' }).set(1_234_567);
  store.series('loopTime', { [attributes.loopState]: 'active' }).add(0.25);
  store
    .series('gcOverlap', { [attributes.system]: 'inprocess', [attributes.destination]: 'orders.created' })
    .add(0.125);
  return { store, processed, failed };
}
