import { monotonicClock } from './clock.js';
import { ConsumedEventPool } from './consumed-event.js';
import { ConsumerSeries } from './consumer-series.js';
import { SeriesByDestination } from './destinations.js';
import { IncomingReader } from './incoming.js';
import type { SignalStore } from './store.js';
import type { HandlerOptions } from './types.js';
import { prepareWrapper } from './wrapper-setup.js';

/**
 * What a consumer wrapper — single-event or batch — resolves once, at wrap time: its options, the
 * header reader, the series per destination and its pool of event records.
 */

const DEFAULT_SLOW_THRESHOLD_MS = 100;

export class ConsumerSetup {
  readonly store: SignalStore;
  readonly clock: () => number;
  readonly tracing: boolean;
  readonly messageIndex: number;
  readonly incoming: IncomingReader;
  readonly events: ConsumedEventPool;
  /** The series for a message's destination (`destinations.get(message)`); resolved once per destination. */
  readonly destinations: SeriesByDestination<unknown, ConsumerSeries>;

  constructor(options: HandlerOptions, batch: boolean, wrapper: string) {
    this.store = prepareWrapper(options, wrapper);
    this.clock = options.clock ?? monotonicClock;
    this.tracing = options.tracing !== false;
    this.messageIndex = options.messageArgument ?? 0;
    this.incoming = new IncomingReader(options, this.store);
    this.events = new ConsumedEventPool(this.clock, this.store);
    const slowThreshold = options.slowThreshold ?? DEFAULT_SLOW_THRESHOLD_MS;
    const create = (destination: string) =>
      new ConsumerSeries(
        this.store,
        {
          system: options.system,
          destination,
          consumerGroup: options.consumerGroup ?? '',
          operationName: options.operationName ?? 'process',
        },
        slowThreshold,
        batch,
      );
    this.destinations = new SeriesByDestination(options.destination, this.store, create);
  }
}
