import { randomBytes } from 'node:crypto';
import { attributes, labelName, metricName } from '@eventscope/catalog';
import { type MetricSample, runExample, scrapeSamples, sumSamples } from '@eventscope/testkit';

/** A name part unique to one test run, so runs never share a stream, queue or topic. */
export const uniqueSuffix = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

const label = {
  system: labelName(attributes.system),
  destination: labelName(attributes.destination),
  group: labelName(attributes.consumerGroup),
  outcome: labelName(attributes.settleOutcome),
  errorType: labelName(attributes.errorType),
};

/** Which series of an example's /metrics belong to its orders. */
export interface OrderRoute {
  /** `messaging.system`, e.g. `nats`. */
  system: string;
  /** The stream, queue, subject or topic orders went through. */
  destination: string;
  /** Billing's consumer group. */
  group: string;
}

/** What an example's /metrics says about its orders. */
export interface OrderSignals {
  /** Orders the producer sent. */
  sent: number;
  /** Orders billing consumed. */
  consumed: number;
  /** Event-age observations (`_count`), one per order consumed. */
  eventAges: number;
  /** Event-age observations in the `+Inf` bucket: every one, or the histogram is broken. */
  eventAgesInInfBucket: number;
  /** Mean event age in seconds. */
  meanEventAgeSeconds: number;
  /** Deliveries settled with an ack. */
  acks: number;
  /** Headers the consumer could not read (creation time, trace context). */
  propagationErrors: number;
  /** Consumed-count series carrying an `error.type`: billing failed on those orders. */
  failedSeries: MetricSample[];
}

/** Reads the order counts out of scraped samples. */
export function orderSignals(samples: readonly MetricSample[], route: OrderRoute): OrderSignals {
  const here = { [label.system]: route.system, [label.destination]: route.destination };
  const billing = { ...here, [label.group]: route.group };
  const eventAges = sumSamples(samples, `${metricName('eventAge')}_count`, billing);
  return {
    sent: sumSamples(samples, metricName('sentMessages'), here),
    consumed: sumSamples(samples, metricName('consumedMessages'), billing),
    eventAges,
    eventAgesInInfBucket: sumSamples(samples, `${metricName('eventAge')}_bucket`, { ...billing, le: '+Inf' }),
    meanEventAgeSeconds: sumSamples(samples, `${metricName('eventAge')}_sum`, billing) / eventAges,
    acks: sumSamples(samples, metricName('settledEvents'), { ...billing, [label.outcome]: 'ack' }),
    propagationErrors: sumSamples(samples, metricName('propagationErrors'), here),
    failedSeries: samples.filter(
      (s) => s.name === metricName('consumedMessages') && s.labels[label.errorType] !== undefined,
    ),
  };
}

/** How a run of an example that sent `count` orders ended, and what its /metrics said. */
export interface BilledRun {
  /** From the `done: sent N, billed N` line. */
  sent: number;
  billed: number;
  signals: OrderSignals;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/** The line an example prints when it has stopped sending and billing caught up. */
const doneLine = /^done: sent (\d+), billed (\d+)/;

/**
 * Runs an example for `count` orders as fast as the broker takes them, scrapes its /metrics
 * during the linger after the last order is billed, and waits for it to exit by itself.
 */
export async function sendAndBill(
  main: string,
  count: number,
  brokerArgs: string[],
  route: OrderRoute,
): Promise<BilledRun> {
  const run = runExample(main, [
    ...['--count', String(count), '--rate', '0', '--port', '0', '--linger', '8'],
    ...brokerArgs,
  ]);
  try {
    const [, url] = await run.waitForLine(/metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/);
    const [, sent, billed] = await run.waitForLine(doneLine);
    const signals = orderSignals(await scrapeSamples(url!), route);
    return { sent: Number(sent), billed: Number(billed), signals, exit: await run.exited };
  } finally {
    await run.stop();
  }
}

/**
 * Runs an example with `args` until it prints its `done` line and exits by itself, optionally
 * sending it SIGTERM once the first orders have gone out.
 */
export async function runUntilDone(
  main: string,
  args: string[],
  options: { sigtermAfterFirstOrders?: boolean } = {},
): Promise<Omit<BilledRun, 'signals'>> {
  const run = runExample(main, ['--port', '0', ...args]);
  try {
    if (options.sigtermAfterFirstOrders) {
      await run.waitForLine(/^sent [1-9]\d*, billed/);
      run.child.kill('SIGTERM');
    }
    const [, sent, billed] = await run.waitForLine(doneLine);
    return { sent: Number(sent), billed: Number(billed), exit: await run.exited };
  } finally {
    await run.stop();
  }
}
