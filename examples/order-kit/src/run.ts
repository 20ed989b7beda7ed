import { setTimeout as sleep } from 'node:timers/promises';
import { type MetricsServer, serveMetrics, stopRuntimeMetrics } from '@eventscope/instrumentation';
import type { RunOptions } from './command-line.js';
import type { Ledger, Order } from './orders.js';
import { sendOrders, waitUntilBilled } from './send-orders.js';

/** An instrumented producer → broker → consumer path, connected and consuming. */
export interface OrderFlow {
  /** Where orders go, for the first line the example prints. */
  route: string;
  /** Sends one order; resolves once the broker has accepted it. */
  publish(order: Order): Promise<unknown>;
  /** What the consumer has billed. */
  ledger: Ledger;
  /** Stops consuming, removes what the example created on the broker, closes the connections. */
  close(): Promise<void>;
}

/** How long to wait for the consumer to catch up once sending stops. */
const CATCH_UP_MS = 30_000;
const CATCH_UP_AFTER_SIGNAL_MS = 5_000;

const out = (line: string) => process.stdout.write(`${line}\n`);
const euros = (cents: number) => (cents / 100).toFixed(2);

/** /metrics on `port`; undefined (said on stderr) when it cannot be served. */
async function openMetrics(port: number): Promise<MetricsServer | undefined> {
  try {
    return await serveMetrics({ port });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(
      inUse
        ? `port ${port} is in use; pass --port 0 for a free one\n`
        : `cannot serve /metrics: ${String(error)}\n`,
    );
    return undefined;
  }
}

/** The flow, started; undefined (said on stderr, /metrics closed) when it cannot start. */
async function startFlow(
  start: () => Promise<OrderFlow>,
  metrics: MetricsServer,
  brokerHint: string,
): Promise<OrderFlow | undefined> {
  try {
    return await start();
  } catch (error) {
    process.stderr.write(`cannot start: ${(error as Error).message ?? String(error)}\n${brokerHint}\n`);
    await metrics.close();
    stopRuntimeMetrics();
    return undefined;
  }
}

/** Waits for billing to catch up with `sent`; after Ctrl-C only briefly, as the signal already fired. */
function catchUp(flow: OrderFlow, sent: number, stopping: AbortSignal): Promise<boolean> {
  return waitUntilBilled(
    () => flow.ledger.orders,
    sent,
    stopping.aborted ? CATCH_UP_AFTER_SIGNAL_MS : CATCH_UP_MS,
    stopping.aborted ? new AbortController().signal : stopping,
  );
}

/** Closes the flow, then /metrics; false when the flow's cleanup failed (said on stderr). */
async function closeAll(flow: OrderFlow, metrics: MetricsServer): Promise<boolean> {
  let closed = true;
  try {
    await flow.close();
  } catch (error) {
    process.stderr.write(`cleanup failed: ${(error as Error).message ?? String(error)}\n`);
    closed = false;
  }
  await metrics.close();
  stopRuntimeMetrics();
  return closed;
}

/**
 * Runs one example from start to exit: /metrics, the flow, paced orders, a progress line a
 * second, the catch-up, the linger, the cleanup. Ctrl-C (or SIGTERM) stops sending and ends the
 * run cleanly; a second Ctrl-C ends the process at once. Returns the exit code: 0 when every sent
 * order was billed.
 */
export async function runOrderFlow(
  title: string,
  options: RunOptions,
  start: () => Promise<OrderFlow>,
  brokerHint: string,
): Promise<number> {
  const metrics = await openMetrics(options.port);
  if (metrics === undefined) return 1;
  const flow = await startFlow(start, metrics, brokerHint);
  if (flow === undefined) return 1;
  out(`${title}: ${flow.route}; metrics at ${metrics.url}`);

  const stopping = new AbortController();
  const stop = () => {
    out('stopping: no more orders; waiting for billing to catch up (Ctrl-C again ends at once)');
    stopping.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const started = performance.now();
  let sent = 0;
  const progress = setInterval(() => out(`sent ${sent}, billed ${flow.ledger.orders}`), 1000);
  let exitCode = 0;
  try {
    sent = await sendOrders(
      (order) => flow.publish(order),
      options,
      stopping.signal,
      (n) => {
        sent = n;
      },
    );
    const caughtUp = await catchUp(flow, sent, stopping.signal);
    clearInterval(progress);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    out(
      `done: sent ${sent}, billed ${flow.ledger.orders} (${euros(flow.ledger.totalCents)} EUR) in ${seconds} s`,
    );
    if (!caughtUp) {
      process.stderr.write(`billing fell behind: ${sent - flow.ledger.orders} orders not billed\n`);
      exitCode = 1;
    }
    if (options.lingerSeconds > 0 && !stopping.signal.aborted) {
      out(`serving metrics for ${options.lingerSeconds} s more`);
      await sleep(options.lingerSeconds * 1000, undefined, { signal: stopping.signal }).catch(() => {});
    }
  } catch (error) {
    process.stderr.write(`failed: ${(error as Error).message ?? String(error)}\n${brokerHint}\n`);
    exitCode = 1;
  } finally {
    clearInterval(progress);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (!(await closeAll(flow, metrics))) exitCode = 1;
  }
  return exitCode;
}
