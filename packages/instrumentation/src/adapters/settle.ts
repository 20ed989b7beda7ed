import { attributes, attributeValues } from '@eventscope/catalog';
import { BoundedMap } from '../bounded-map.js';
import { reportFault, zeroFaultCounter } from '../faults.js';
import { type CounterSeries, defaultStore, type HistogramSeries, type SignalStore } from '../store.js';

/**
 * Settling — ack, nack, reject, term — is the broker-facing end of an event's life. The core
 * wrappers time the handler; the adapters see the settle calls and record them here: the outcome
 * counter, the settle duration, redeliveries and dead-lettering. Series are resolved once per
 * (destination, consumer group) and cached.
 */

/** `eventscope.settle.outcome`: the catalog's values. */
const outcomes = attributeValues[attributes.settleOutcome];
export type SettleOutcome = (typeof outcomes)[number];

/** The settle series of one (system, destination, consumer group). */
export class SettleTarget {
  private readonly settled: Record<SettleOutcome, CounterSeries>;
  private readonly durations = new Map<string, HistogramSeries>();
  private readonly redeliveredSeries: CounterSeries;
  private readonly deadLetteredSeries: CounterSeries;

  constructor(
    private readonly store: SignalStore,
    private readonly system: string,
    readonly destination: string,
    private readonly consumerGroup: string | undefined,
  ) {
    const labels = {
      [attributes.system]: system,
      [attributes.destination]: destination,
      [attributes.consumerGroup]: consumerGroup,
    };
    const settled = {} as Record<SettleOutcome, CounterSeries>;
    for (const outcome of outcomes) {
      settled[outcome] = store.series('settledEvents', { ...labels, [attributes.settleOutcome]: outcome });
    }
    this.settled = settled;
    this.redeliveredSeries = store.series('redeliveredEvents', labels);
    this.deadLetteredSeries = store.series('deadLetteredEvents', labels);
  }

  /**
   * One settle call. `operation` is the client call (`ack`, `nack`, `reject`, `term`, `xack`);
   * `count` the events it settled; `deadLettered` when the broker will not deliver them again.
   * `seconds` is how long the call took, when the client tells (undefined for fire-and-forget calls).
   */
  settle(
    outcome: SettleOutcome,
    operation: string,
    seconds: number | undefined,
    count = 1,
    deadLettered = false,
  ): void {
    this.settled[outcome].add(count);
    if (deadLettered) this.deadLetteredSeries.add(count);
    if (seconds === undefined) return;
    let duration = this.durations.get(operation);
    if (!duration) {
      duration = this.store.series('clientOperationDuration', {
        [attributes.system]: this.system,
        [attributes.destination]: this.destination,
        [attributes.operationName]: operation,
        [attributes.consumerGroup]: this.consumerGroup,
        [attributes.operationType]: 'settle',
      });
      this.durations.set(operation, duration);
    }
    duration.observe(seconds);
  }

  redelivered(count = 1): void {
    this.redeliveredSeries.add(count);
  }
}

/**
 * Settle targets by destination for one adapter instance. Bounded like the store itself: past
 * the store's destination budget new names share the overflow target.
 */
export class SettleTargets {
  private readonly targets: BoundedMap<SettleTarget>;
  readonly store: SignalStore;

  constructor(
    private readonly system: string,
    consumerGroup: string | undefined,
    store: SignalStore | undefined,
  ) {
    const into = store ?? defaultStore;
    this.store = into;
    zeroFaultCounter(`adapter.${system}.settle`, into);
    this.targets = new BoundedMap(
      into.destinationBudget,
      (destination) => new SettleTarget(into, system, destination, consumerGroup),
    );
  }

  get(destination: string): SettleTarget {
    return this.targets.get(destination);
  }

  /** Run a settle recording; an instrumentation fault is counted, never thrown to the caller. */
  guard(record: () => void): void {
    try {
      record();
    } catch (error) {
      reportFault(`adapter.${this.system}.settle`, error, this.store);
    }
  }
}
