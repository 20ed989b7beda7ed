import { describe, expect, it } from 'vitest';
import { decodeOrder, encodeOrder, Ledger, type Order, orderNumber } from '../src/orders.js';
import { sendOrders, waitUntilBilled } from '../src/send-orders.js';

const plan = { count: 25, durationSeconds: 0, rate: 0, run: 'r1' };

describe('orders', () => {
  it('are the same for the same number and run, and survive the wire', () => {
    expect(orderNumber(5, 'r1')).toEqual(orderNumber(5, 'r1'));
    expect(orderNumber(5, 'r1')).toEqual({ id: 'r1-5', customer: 'margaret', items: 2, totalCents: 2500 });
    expect(decodeOrder(encodeOrder(orderNumber(7, 'r1')))).toEqual(orderNumber(7, 'r1'));
    expect(() => decodeOrder('{"id":1}')).toThrow(/not an order/);
  });

  it('are billed into the ledger one by one', () => {
    const ledger = new Ledger();
    for (let n = 0; n < 4; n++) ledger.bill(orderNumber(n, 'r1'));
    expect(ledger).toMatchObject({ orders: 4, totalCents: (1 + 2 + 3 + 4) * 1250 });
  });
});

describe('sending orders', () => {
  it('sends exactly the planned count, in order, each awaited', async () => {
    const published: Order[] = [];
    const sent = await sendOrders(async (order) => published.push(order), plan, new AbortController().signal);
    expect(sent).toBe(25);
    expect(published.map((o) => o.id)).toEqual(Array.from({ length: 25 }, (_, n) => `r1-${n}`));
  });

  it('stops when the run is aborted and says how many went out', async () => {
    const stopping = new AbortController();
    const sent = await sendOrders(
      async () => {},
      { ...plan, count: Number.POSITIVE_INFINITY },
      stopping.signal,
      (n) => n === 10 && stopping.abort(),
    );
    expect(sent).toBe(10);
  });

  it('a failed publish rejects the run with the broker’s error', async () => {
    const refused = new Error('refused');
    await expect(sendOrders(() => Promise.reject(refused), plan, new AbortController().signal)).rejects.toBe(
      refused,
    );
  });

  it('waits for billing to catch up, or gives up on timeout', async () => {
    let billed = 0;
    const billing = setInterval(() => billed++, 5);
    try {
      expect(await waitUntilBilled(() => billed, 3, 10_000, new AbortController().signal)).toBe(true);
    } finally {
      clearInterval(billing);
    }
    expect(await waitUntilBilled(() => 0, 1, 50, new AbortController().signal)).toBe(false);
  });
});
