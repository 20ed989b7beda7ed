import {
  type CarrierReader,
  type CarrierWriter,
  instrumentHandler,
  instrumentProducer,
  type PinoLike,
  SignalStore,
  startRuntimeMetrics,
  stopRuntimeMetrics,
} from '@eventscope/instrumentation';
import { type BacklogWatch, watchBacklog } from '@eventscope/instrumentation/backlog';
import { type Headers, InMemoryBroker, type Message, type Subscription } from './broker.js';
import { type MetricsEndpoint, type MetricsFlavor, openMetricsEndpoint } from './metrics-endpoint.js';
import { isScenario, makeOrder, type Order, type Payment, type Scenario, Workload } from './workload.js';

/** The names the demo's dashboards and alerts see. */
export const pipelineNames = {
  system: 'inprocess',
  orders: 'orders.created',
  payments: 'payments.settled',
  consumerGroup: 'billing',
} as const;

/**
 * Handlers each order passes through: billing prices it (`orders.created`), then settles the
 * payment it produced (`payments.settled`). The pipeline processes about rate × this events/s.
 */
export const handlersPerOrder = 2;

export interface PipelineOptions {
  scenario?: Scenario;
  /** Orders published per second. Default 200. */
  rate?: number;
  /** Interface /metrics listens on. Default 127.0.0.1. */
  host?: string;
  /** Port of /metrics; 0 (the default) takes any free port. */
  port?: number;
  /** Naming of the /metrics exposition. Default `prometheus`. */
  flavor?: MetricsFlavor;
  /** `service.name` on the OpenTelemetry path. Default `eventscope-demo`. */
  serviceName?: string;
  /**
   * Events slower than this (ms) are reported with their cause. Default 25: the demo's handlers
   * take about 5 ms (10 ms at p99), so only a stall — a GC pause, a blocked loop — makes one slow.
   */
  slowThreshold?: number;
  /** Where slow-event lines go (a pino logger); `false` for none. Default: JSON lines on stderr. */
  logger?: PinoLike | false;
  /** Record into this store. Default: a store of the pipeline's own. */
  store?: SignalStore;
}

export interface PipelineCounts {
  published: number;
  processed: number;
  failed: number;
  /** Messages accepted by the broker and not yet handled. */
  queued: number;
  /** Objects held by the leaking cache (nonzero only under gc-pressure). */
  retainedObjects: number;
}

export interface RunningPipeline {
  /** http://host:port/metrics */
  metricsUrl: string;
  readonly scenario: Scenario;
  /** Orders published per second (each is handled `handlersPerOrder` times). */
  readonly rate: number;
  setScenario(scenario: Scenario): void;
  /** The store the pipeline records into (what /metrics exposes). */
  readonly store: SignalStore;
  counts(): PipelineCounts;
  stop(): Promise<void>;
}

type Publish = (destination: string, body: unknown, headers: Headers) => void;

const headerReader: CarrierReader<Message, Headers> = {
  carrier: (message) => message.headers,
  get: (headers, key) => headers[key],
};

const headerWriter: CarrierWriter<Parameters<Publish>, Headers> = {
  carrier: (args) => args[2],
  set: (headers, key, value) => {
    headers[key] = value;
  },
  get: (headers, key) => headers[key],
};

/** Pipelines started and not yet stopped in this process. */
let running = 0;

/** The least time between two backlog reads: the in-memory broker answers at no cost, so every scrape of 1 s or more sees a fresh one. */
const BACKLOG_INTERVAL_MS = 1000;

/** How often the producer wakes up; each wake publishes what the rate says is due. */
const PRODUCER_TICK_MS = 10;

/** What the pipeline has published, processed and failed so far. */
type Tally = Pick<PipelineCounts, 'published' | 'processed' | 'failed'>;

/** What every instrumented step of the pipeline shares. */
interface Instrumented {
  system: string;
  store: SignalStore;
  registry: false;
}

/** The options with their defaults, checked before anything starts. */
function checkPipelineOptions(options: PipelineOptions) {
  const scenario = options.scenario ?? 'steady';
  if (!isScenario(scenario)) {
    throw new TypeError(`unknown scenario "${String(scenario)}"; use steady, gc-pressure or fixed`);
  }
  const rate = options.rate ?? 200;
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new RangeError(`rate must be a positive number of events per second, got ${String(options.rate)}`);
  }
  const flavor = options.flavor ?? 'prometheus';
  if (flavor !== 'prometheus' && flavor !== 'otel') {
    throw new TypeError(`unknown metrics flavor "${String(flavor)}"; use prometheus or otel`);
  }
  return { scenario, rate, flavor };
}

/** The runtime observers are process-wide; the last pipeline to stop removes them. */
function releaseRuntimeMetrics(): void {
  if (--running === 0) stopRuntimeMetrics();
}

/** The two `billing` consumers: one prices orders into payments, the other settles them. */
function wireConsumers(
  broker: InMemoryBroker,
  publish: Publish,
  workload: Workload,
  counts: Tally,
  common: Instrumented,
  slowThreshold: number,
): Subscription[] {
  const consumerOptions = {
    ...common,
    consumerGroup: pipelineNames.consumerGroup,
    carrier: headerReader,
    // The broker's acceptance time, as real brokers report it (JetStream, Kafka, Redis streams).
    createdAt: (message: Message) => message.publishedAt,
    slowThreshold,
  };

  const handleOrder = instrumentHandler(
    async (message: Message<Order>) => {
      const payment = await workload.processOrder(message.body);
      publish(pipelineNames.payments, payment, {});
      counts.processed++;
    },
    { ...consumerOptions, destination: pipelineNames.orders },
  );
  const handlePayment = instrumentHandler(
    async (message: Message<Payment>) => {
      await workload.settlePayment(message.body);
      counts.processed++;
    },
    { ...consumerOptions, destination: pipelineNames.payments },
  );
  // Like a broker client's prefetch: several events in flight, so one GC pause stalls them all.
  const prefetch = { prefetch: 16 };
  return [
    broker.subscribe(pipelineNames.orders, pipelineNames.consumerGroup, handleOrder, prefetch),
    broker.subscribe(pipelineNames.payments, pipelineNames.consumerGroup, handlePayment, prefetch),
  ];
}

/** /metrics; when it cannot be served, the broker and the runtime metrics go before the error. */
async function openEndpoint(
  options: PipelineOptions,
  store: SignalStore,
  flavor: MetricsFlavor,
  broker: InMemoryBroker,
): Promise<MetricsEndpoint> {
  try {
    return await openMetricsEndpoint({
      store,
      flavor,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      serviceName: options.serviceName ?? 'eventscope-demo',
    });
  } catch (error) {
    broker.close();
    releaseRuntimeMetrics();
    throw error;
  }
}

/**
 * Watch the backlog the broker holds for the `billing` group on both destinations, as an adapter
 * watches a real broker's; read once now, so the first scrape already has it.
 */
function watchBrokerBacklog(broker: InMemoryBroker, store: SignalStore): BacklogWatch[] {
  return [pipelineNames.orders, pipelineNames.payments].map((destination) => {
    const source = broker.backlogSource(pipelineNames.system, destination, pipelineNames.consumerGroup);
    const watch = watchBacklog(source, { store, intervalMs: BACKLOG_INTERVAL_MS });
    void watch.refresh();
    return watch;
  });
}

/** Publish at the configured rate whatever the timer jitter: each tick sends what is due. */
function startProducer(publish: Publish, rate: number, counts: Tally): NodeJS.Timeout {
  let nextOrderId = 0;
  let due = 0;
  let last = performance.now();
  return setInterval(() => {
    const now = performance.now();
    due += ((now - last) * rate) / 1000;
    last = now;
    // After a long pause, catch up at most one second's worth, as a bounded client buffer would.
    if (due > rate) due = rate;
    while (due >= 1) {
      due -= 1;
      publish(pipelineNames.orders, makeOrder(nextOrderId++), {});
      counts.published++;
    }
  }, PRODUCER_TICK_MS);
}

/** The parts of a started pipeline that its handle reads and stops. */
interface PipelineParts {
  endpoint: MetricsEndpoint;
  workload: Workload;
  rate: number;
  store: SignalStore;
  counts: Tally;
  broker: InMemoryBroker;
  subscriptions: Subscription[];
  backlogWatches: BacklogWatch[];
  producer: NodeJS.Timeout;
}

function runningPipeline(parts: PipelineParts): RunningPipeline {
  const { endpoint, workload, rate, store, counts, broker, subscriptions, backlogWatches, producer } = parts;
  let stopped: Promise<void> | undefined;
  return {
    metricsUrl: endpoint.url,
    get scenario() {
      return workload.scenario;
    },
    rate,
    setScenario(next: Scenario) {
      if (!isScenario(next)) {
        throw new TypeError(`unknown scenario "${String(next)}"; use steady, gc-pressure or fixed`);
      }
      workload.scenario = next;
    },
    store,
    counts: () => ({
      ...counts,
      queued: subscriptions.reduce((n, s) => n + s.depth, 0),
      retainedObjects: workload.retainedObjects,
    }),
    stop: () => {
      stopped ??= (async () => {
        clearInterval(producer);
        await Promise.all(backlogWatches.map((w) => w.stop()));
        for (const s of subscriptions) s.unsubscribe();
        broker.close();
        workload.scenario = 'fixed';
        await endpoint.close();
        releaseRuntimeMetrics();
      })();
      return stopped;
    },
  };
}

/**
 * Start the demo pipeline: a producer publishing orders to `orders.created`, a `billing` consumer
 * that prices each order and publishes a payment to `payments.settled`, and a second `billing`
 * consumer settling payments — all through an in-memory broker, every step instrumented, with
 * /metrics served on `host:port`.
 */
export async function startPipeline(options: PipelineOptions = {}): Promise<RunningPipeline> {
  const { scenario, rate, flavor } = checkPipelineOptions(options);
  const store = options.store ?? new SignalStore();
  const slowThreshold = options.slowThreshold ?? 25;
  // Started here rather than by the first wrapped handler, so the slow-event logger applies.
  startRuntimeMetrics({ store, ...(options.logger === undefined ? {} : { logger: options.logger }) });
  running++;
  const workload = new Workload(scenario);
  const counts = { published: 0, processed: 0, failed: 0 };
  const broker = new InMemoryBroker({
    onFailure: () => {
      counts.failed++;
    },
  });
  const common = { system: pipelineNames.system, store, registry: false as const };

  const publish = instrumentProducer<Publish>(
    (destination, body, headers) => broker.publish(destination, body, headers),
    { ...common, destination: (args) => args[0], carrier: headerWriter },
  );
  const subscriptions = wireConsumers(broker, publish, workload, counts, common, slowThreshold);
  const endpoint = await openEndpoint(options, store, flavor, broker);
  const backlogWatches = watchBrokerBacklog(broker, store);
  const producer = startProducer(publish, rate, counts);
  return runningPipeline({
    endpoint,
    workload,
    rate,
    store,
    counts,
    broker,
    subscriptions,
    backlogWatches,
    producer,
  });
}
