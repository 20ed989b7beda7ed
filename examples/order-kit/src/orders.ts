/**
 * The events this example moves: orders, from a shop front (the producer) to billing (the
 * consumer). Plain JSON, as most services send them.
 */
export interface Order {
  id: string;
  customer: string;
  items: number;
  totalCents: number;
}

const customers = ['ada', 'grace', 'edsger', 'barbara', 'ken', 'margaret'];

/** The n-th order of a run: deterministic, so a run's totals can be checked. */
export function orderNumber(n: number, run: string): Order {
  const items = 1 + (n % 4);
  return {
    id: `${run}-${n}`,
    customer: customers[n % customers.length] ?? 'ada',
    items,
    totalCents: items * 1250,
  };
}

export const encodeOrder = (order: Order): string => JSON.stringify(order);

export function decodeOrder(text: string): Order {
  const order = JSON.parse(text) as Partial<Order>;
  if (typeof order.id !== 'string' || typeof order.totalCents !== 'number') {
    throw new TypeError(`not an order: ${text.slice(0, 80)}`);
  }
  return order as Order;
}

/** What billing has done so far: the consumer's own state, not a metric. */
export class Ledger {
  orders = 0;
  totalCents = 0;

  bill(order: Order): void {
    this.orders++;
    this.totalCents += order.totalCents;
  }
}
