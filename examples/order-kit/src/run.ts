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
  let metrics: MetricsServer;
  try {
    metrics = await serveMetrics({ port: options.port });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(
      inUse
        ? `port ${options.port} is in use; pass --port 0 for a free one\n`
        : `cannot serve /metrics: ${String(error)}\n`,
    );
    return 1;
  }
  let flow: OrderFlow;
  try {
    flow = await start();
  } catch (error) {
    process.stderr.write(`cannot start: ${(error as Error).message ?? String(error)}\n${brokerHint}\n`);
    await metrics.close();
    stopRuntimeMetrics();
    return 1;
  }
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
    const caughtUp = await waitUntilBilled(
      () => flow.ledger.orders,
      sent,
      stopping.signal.aborted ? CATCH_UP_AFTER_SIGNAL_MS : CATCH_UP_MS,
      stopping.signal.aborted ? new AbortController().signal : stopping.signal,
    );
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
    try {
      await flow.close();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${(error as Error).message ?? String(error)}\n`);
      exitCode = 1;
    }
    await metrics.close();
    stopRuntimeMetrics();
  }
  return exitCode;
}
