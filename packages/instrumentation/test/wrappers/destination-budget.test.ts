import { attributes, OVERFLOW_DESTINATION } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { instrumentHandler, instrumentProducer, SignalStore } from '../../src/index.js';
import { heapAfterGc } from '../support/heap.js';

/** Acceptance 6: a flood of destination names stays at budget + overflow, in series and in memory. */

describe('destination budget', () => {
  it('keeps 1,000,000 distinct destinations at budget + 1 series, with heap growth under 50 MB', () => {
    const budget = 1000;
    const store = new SignalStore({ destinationBudget: budget });
    const handle = instrumentHandler((m: { topic: string }) => m.topic.length, {
      system: 'inprocess',
      destination: (m: { topic: string }) => m.topic,
      store,
      registry: false,
      runtime: false,
    });
    const send = instrumentProducer((_m: { topic: string }) => undefined, {
      system: 'inprocess',
      destination: ([m]) => m.topic,
      store,
      registry: false,
      runtime: false,
      tracing: false,
    });
    // Warm up the wrappers and the families before the baseline, so it measures the flood only.
    for (let i = 0; i < budget; i++) handle({ topic: `orders.${i}` });
    const before = heapAfterGc();
    const events = 1_000_000;
    for (let i = budget; i < events; i++) {
      const message = { topic: `orders.${i}` };
      handle(message);
      if (i % 10 === 0) send(message);
    }
    const growth = heapAfterGc() - before;

    const duration = store.family('processDuration');
    expect(duration.series.size).toBe(budget + 1);
    expect(duration.destinationCount).toBe(budget);
    const overflow = [...duration.series.values()].filter((s) => s.overflow);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]!.values).toContain(OVERFLOW_DESTINATION);
    expect(overflow[0]!.count).toBe(events - budget);
    expect(store.family('consumedMessages').series.size).toBe(budget + 1);
    expect(store.family('clientOperationDuration').series.size).toBeLessThanOrEqual(budget + 1);
    // Every event recorded into the overflow destination is counted.
    const labelOverflow = store.series('labelOverflow', { [attributes.system]: 'inprocess' });
    const sentOverflow = [...store.family('sentMessages').series.values()].find((s) => s.overflow)!.value;
    expect(labelOverflow.value).toBe(events - budget + sentOverflow);
    expect(growth).toBeLessThan(50 * 1024 * 1024);
  });
});
