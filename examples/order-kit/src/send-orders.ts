import { setTimeout as sleep } from 'node:timers/promises';
import { type Order, orderNumber } from './orders.js';

/** How many orders to send and how fast. */
export interface SendPlan {
  /** Stop after this many orders (unless `durationSeconds` ends the run first). */
  count: number;
  /** Stop after this many seconds; 0: no time limit. */
  durationSeconds: number;
  /** Orders per second; 0: as fast as the broker confirms them. */
  rate: number;
  /** Prefix of the order ids, unique per run. */
  run: string;
}

/**
 * Sends orders one after another, each awaited (the broker has accepted it when the promise
 * resolves), paced to the plan's rate. Returns how many were sent; stops early on abort.
 */
export async function sendOrders(
  publish: (order: Order) => Promise<unknown>,
  plan: SendPlan,
  signal: AbortSignal,
  onSent: (sent: number) => void = () => {},
): Promise<number> {
  const started = performance.now();
  const deadline =
    plan.durationSeconds > 0 ? started + plan.durationSeconds * 1000 : Number.POSITIVE_INFINITY;
  let sent = 0;
  while (sent < plan.count && !signal.aborted) {
    if (plan.rate > 0) {
      const due = started + (sent * 1000) / plan.rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
    }
    if (performance.now() >= deadline) break;
    await publish(orderNumber(sent, plan.run));
    onSent(++sent);
  }
  return sent;
}

/** Waits until the consumer has billed `expected` orders; false on timeout or abort. */
export async function waitUntilBilled(
  billed: () => number,
  expected: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (billed() < expected) {
    if (Date.now() > deadline || signal.aborted) return false;
    await sleep(20, undefined, { signal }).catch(() => {});
  }
  return true;
}
