import { attributes } from '@eventscope/catalog';
import { reportFault } from './faults.js';
import { defaultStore, type GaugeSeries, type SignalStore } from './store.js';

/**
 * What the broker knows about a consumer's backlog, read from the broker on the client the user
 * already has: the adapters create one `BacklogSource` per destination (and consumer group) they
 * instrument, and `watchBacklog` reads it off the hot path.
 *
 * Reads are driven by collection (a scrape, an OTel export): a collection starts a read of every
 * source whose last read is older than `intervalMs`, at most `concurrency` at a time, each bounded
 * by `timeoutMs`; the answer is written to the gauges when it arrives and exported by the next
 * collection. So the broker sees at most one request per source per interval however many
 * Prometheus servers scrape, and none when nobody scrapes. A failed or late read is counted
 * (`eventscope.instrumentation.errors{eventscope_component="backlog"}`) and the gauges keep their
 * last value; nothing is ever thrown into the application. A field the broker cannot tell is left
 * out: its series is never made, rather than exported as a misleading 0.
 */

/** One reading of a destination's backlog; leave out what the broker cannot tell. */
export interface BacklogReading {
  /** Messages held for the consumer (group), not delivered yet. */
  readonly waiting?: number;
  /** Messages delivered and not settled yet. */
  readonly unsettled?: number;
  /** Age (s) of the oldest waiting message: the lag in time. */
  readonly oldestAgeSeconds?: number;
  /** Messages the broker counts as delivered more than once. */
  readonly redelivered?: number;
  /** Consumers attached. */
  readonly consumers?: number;
}

/** A destination whose backlog the broker can tell. */
export interface BacklogSource {
  readonly system: string;
  readonly destination: string;
  readonly consumerGroup?: string;
  /** One request (or a few) to the broker. Reject on failure; `signal` aborts on timeout. */
  read(signal: AbortSignal): Promise<BacklogReading>;
  /** Release what the source holds (a channel of its own), when watching stops. */
  close?(): void | Promise<void>;
}

export interface BacklogOptions {
  /** The store to record into. Default: the shared store. */
  store?: SignalStore;
  /** The least time between two reads of one source. Default 10 s. */
  intervalMs?: number;
  /** A read that takes longer is abandoned and counted as a fault. Default 5 s. */
  timeoutMs?: number;
  /** Reads in flight at once, across every source of the store. Default 4. */
  concurrency?: number;
}

/** A watched source; `stop()` ends reading and releases the source. Idempotent. */
export interface BacklogWatch {
  stop(): Promise<void>;
  /** Start a read now (as a collection would) and resolve when it has been written. For tests and `eventscope report`. */
  refresh(): Promise<void>;
}

type Field = keyof BacklogReading;
const seriesKeys = {
  waiting: 'backlogWaiting',
  unsettled: 'backlogUnsettled',
  oldestAgeSeconds: 'backlogOldestAge',
  redelivered: 'backlogRedelivered',
  consumers: 'backlogConsumers',
} as const satisfies Record<Field, string>;

class Watched {
  lastStarted = Number.NEGATIVE_INFINITY;
  inFlight: Promise<void> | undefined;
  stopped = false;
  private readonly gauges = new Map<Field, GaugeSeries>();

  constructor(
    readonly source: BacklogSource,
    readonly store: SignalStore,
    readonly intervalMs: number,
    readonly timeoutMs: number,
  ) {}

  write(reading: BacklogReading): void {
    if (this.stopped) return;
    for (const field of Object.keys(seriesKeys) as Field[]) {
      const value = reading[field];
      if (value === undefined || !Number.isFinite(value)) continue;
      let gauge = this.gauges.get(field);
      if (!gauge) {
        gauge = this.store.series(seriesKeys[field], {
          [attributes.system]: this.source.system,
          [attributes.destination]: this.source.destination,
          [attributes.consumerGroup]: this.source.consumerGroup,
        });
        this.gauges.set(field, gauge);
      }
      gauge.set(value);
    }
  }
}

/** Every store's watched sources, the collect hook that drives them, and the shared read queue. */
class BacklogCollector {
  readonly watched = new Set<Watched>();
  private running = 0;
  private readonly queue: Watched[] = [];
  private readonly unhook: () => void;

  constructor(
    readonly store: SignalStore,
    readonly concurrency: number,
  ) {
    this.unhook = store.onCollect(() => this.onCollect());
  }

  onCollect(): void {
    const now = performance.now();
    for (const w of this.watched) {
      if (w.inFlight || now - w.lastStarted < w.intervalMs || this.queue.includes(w)) continue;
      this.queue.push(w);
    }
    this.pump();
  }

  /** Read one source now (queued behind reads in flight), resolving when it is written. */
  refresh(w: Watched): Promise<void> {
    if (w.inFlight) return w.inFlight;
    return new Promise((resolve) => {
      const started = this.start(w);
      started.then(resolve, resolve);
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (!next.stopped && !next.inFlight) void this.start(next);
    }
  }

  private start(w: Watched): Promise<void> {
    w.lastStarted = performance.now();
    this.running++;
    const read = readWithTimeout(w).finally(() => {
      this.running--;
      w.inFlight = undefined;
      this.pump();
    });
    w.inFlight = read;
    return read;
  }

  remove(w: Watched): void {
    this.watched.delete(w);
    const at = this.queue.indexOf(w);
    if (at >= 0) this.queue.splice(at, 1);
    if (this.watched.size === 0) {
      this.unhook();
      collectors.delete(this.store);
    }
  }
}

async function readWithTimeout(w: Watched): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new Error(`backlog read of ${w.source.system} ${w.source.destination} took over ${w.timeoutMs} ms`),
      );
    }, w.timeoutMs);
    timer.unref();
  });
  try {
    const reading = await Promise.race([w.source.read(controller.signal), timeout]);
    w.write(reading);
  } catch (error) {
    if (!w.stopped) reportFault('backlog', error, w.store);
  } finally {
    clearTimeout(timer);
  }
}

const collectors = new Map<SignalStore, BacklogCollector>();

/**
 * Watch a destination's backlog: read `source` when the store is collected, at most once per
 * `intervalMs`. Returns a handle to stop watching (which also closes the source).
 */
export function watchBacklog(source: BacklogSource, options: BacklogOptions = {}): BacklogWatch {
  const store = options.store ?? defaultStore;
  let collector = collectors.get(store);
  if (!collector) {
    collector = new BacklogCollector(store, positive(options.concurrency, 4));
    collectors.set(store, collector);
  }
  const w = new Watched(
    source,
    store,
    positive(options.intervalMs, 10_000),
    positive(options.timeoutMs, 5_000),
  );
  collector.watched.add(w);
  const owner = collector;
  return {
    refresh: () => (w.stopped ? Promise.resolve() : owner.refresh(w)),
    async stop() {
      if (w.stopped) return;
      w.stopped = true;
      owner.remove(w);
      await w.inFlight;
      try {
        await source.close?.();
      } catch (error) {
        reportFault('backlog', error, store);
      }
    },
  };
}

/** Stop every backlog watch of every store (what `stopRuntimeMetrics` does for the runtime). */
export async function stopBacklogWatches(): Promise<void> {
  const all: Promise<void>[] = [];
  for (const collector of [...collectors.values()]) {
    for (const w of [...collector.watched]) {
      w.stopped = true;
      collector.remove(w);
      all.push(
        Promise.resolve(w.inFlight)
          .then(() => w.source.close?.())
          .catch((error) => reportFault('backlog', error, w.store)),
      );
    }
  }
  await Promise.all(all);
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`expected a positive number, got ${String(value)}`);
  return value;
}
