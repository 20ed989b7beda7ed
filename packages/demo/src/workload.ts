import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What the demo's handlers do, per scenario. The incident it replays: a consumer kept an
 * in-process cache of every order it had seen. The cache grew, every GC had more live objects to
 * copy and mark, pauses lengthened, and latency spiked across the whole process — not because the
 * handlers did more work, but because they were stopped while the collector ran.
 */
export type Scenario = 'steady' | 'gc-pressure' | 'fixed';
export const scenarios: readonly Scenario[] = ['steady', 'gc-pressure', 'fixed'];

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'string' && (scenarios as readonly string[]).includes(value);
}

export interface Order {
  id: number;
  customer: string;
  amountCents: number;
  items: { sku: string; quantity: number }[];
}

export interface Payment {
  orderId: number;
  amountCents: number;
  settledAt: number;
}

/** A failure users classify: its name becomes `error.type`. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

/**
 * One in this many orders is invalid (the 1,000th, then every this many), so error panels and
 * error-ratio alerts have data: 0.05 %, half the error budget of the default 99.9 % objective.
 * A healthy service spends part of its budget, not ten times it, so the steady demo pages nobody.
 * Not the first order: one failure among the first few events is a burn rate in the hundreds.
 */
export const INVALID_ORDER_EVERY = 2000;

/** Simulated I/O per event, ms. */
const DATABASE_WRITE_MS = 5;
const LEDGER_WRITE_MS = 2;

/**
 * Under gc-pressure each order is expanded into line-level detail (many small objects, as parsing
 * a rich payload makes), and the cache keeps every second one. Survivors spread over the young
 * generation are what makes scavenges copy, and copying is what makes them pause.
 */
const DETAIL_OBJECTS_PER_ORDER = 4000;
const RETAIN_EVERY = 2;
/** The cache stops growing here and then replaces its oldest entries, so old space keeps churning. */
const RETAINED_OBJECTS_LIMIT = 1_500_000;

export class Workload {
  private current: Scenario;
  /** The leaking cache of the incident; emptied by `fixed`. */
  private cache: unknown[] = [];
  private cacheNext = 0;

  constructor(scenario: Scenario) {
    this.current = scenario;
  }

  get scenario(): Scenario {
    return this.current;
  }

  set scenario(next: Scenario) {
    this.current = next;
    if (next !== 'gc-pressure') this.release();
  }

  /** Objects retained by the leaking cache. */
  get retainedObjects(): number {
    return this.cache.length;
  }

  /** Handle `orders.created`: validate, price, remember (under gc-pressure), then simulate a write. */
  async processOrder(order: Order): Promise<Payment> {
    if (order.items.length === 0) {
      throw new ValidationError(`order ${order.id} has no items`);
    }
    let total = 0;
    for (const item of order.items) total += item.quantity * priceOf(item.sku);
    if (this.current === 'gc-pressure') this.remember(order);
    // The database write: a few ms of I/O, during which a GC pause anywhere in the process stalls
    // this event too (and every other one in flight).
    await sleep(DATABASE_WRITE_MS);
    return { orderId: order.id, amountCents: total, settledAt: Date.now() };
  }

  /** Handle `payments.settled`: a ledger entry. */
  async settlePayment(payment: Payment): Promise<void> {
    if (payment.amountCents < 0) throw new ValidationError(`payment for ${payment.orderId} is negative`);
    await sleep(LEDGER_WRITE_MS);
  }

  private remember(order: Order): void {
    const detail = new Array<unknown>(DETAIL_OBJECTS_PER_ORDER);
    for (let i = 0; i < DETAIL_OBJECTS_PER_ORDER; i++) {
      detail[i] = { orderId: order.id, line: i, customer: order.customer, tags: [i, order.id] };
    }
    for (let i = 0; i < DETAIL_OBJECTS_PER_ORDER; i += RETAIN_EVERY) {
      if (this.cache.length < RETAINED_OBJECTS_LIMIT) {
        this.cache.push(detail[i]);
      } else {
        this.cache[this.cacheNext] = detail[i];
        this.cacheNext = (this.cacheNext + 1) % RETAINED_OBJECTS_LIMIT;
      }
    }
  }

  private release(): void {
    this.cache = [];
    this.cacheNext = 0;
  }
}

const SKUS = ['book', 'lamp', 'desk', 'chair', 'pen', 'mug', 'plant', 'rug'];
const priceOf = (sku: string) => 100 + sku.length * 250;

/** Orders as a shop would send them: a few line items, some customers returning. */
export function makeOrder(id: number): Order {
  const count = id % INVALID_ORDER_EVERY === INVALID_ORDER_EVERY / 2 ? 0 : 1 + (id % 4);
  const items = [];
  for (let i = 0; i < count; i++) items.push({ sku: SKUS[(id + i) % SKUS.length]!, quantity: 1 + (i % 3) });
  return { id, customer: `customer-${id % 997}`, amountCents: 0, items };
}
