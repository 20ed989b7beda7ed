import { describe, expect, it } from 'vitest';
import { InMemoryBroker, type Message } from '../src/broker.js';

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('in-memory broker', () => {
  it('delivers in order to every consumer group, stamps publish time, never during publish', async () => {
    const broker = new InMemoryBroker();
    const a: number[] = [];
    const b: Message<number>[] = [];
    broker.subscribe<number>('orders', 'billing', (m) => {
      a.push(m.body);
    });
    broker.subscribe<number>('orders', 'audit', async (m) => {
      await new Promise((r) => setTimeout(r, 1));
      b.push(m);
    });
    const before = Date.now();
    for (let i = 0; i < 50; i++) broker.publish('orders', i, { k: String(i) });
    expect(a).toEqual([]);
    await until(() => a.length === 50 && b.length === 50);
    expect(a).toEqual([...Array(50).keys()]);
    expect(b.map((m) => m.body)).toEqual([...Array(50).keys()]);
    expect(b[3]!.headers).toEqual({ k: '3' });
    expect(b[0]!.publishedAt).toBeGreaterThanOrEqual(before);
    broker.close();
  });

  it('reports handler failures and keeps delivering', async () => {
    const failures: unknown[] = [];
    const broker = new InMemoryBroker({ onFailure: (error) => failures.push(error) });
    const seen: number[] = [];
    broker.subscribe<number>('t', 'g', (m) => {
      seen.push(m.body);
      if (m.body === 1) throw new Error('bad');
      if (m.body === 2) return Promise.reject(new Error('worse'));
    });
    for (let i = 0; i < 4; i++) broker.publish('t', i);
    await until(() => seen.length === 4);
    expect(seen).toEqual([0, 1, 2, 3]);
    await until(() => failures.length === 2);
    expect((failures as Error[]).map((e) => e.message)).toEqual(['bad', 'worse']);
    broker.close();
  });

  it('keeps at most prefetch events in flight per subscription', async () => {
    const broker = new InMemoryBroker();
    let inFlight = 0;
    let most = 0;
    let done = 0;
    broker.subscribe(
      't',
      'g',
      async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        done++;
      },
      { prefetch: 4 },
    );
    for (let i = 0; i < 40; i++) broker.publish('t', i);
    await until(() => done === 40);
    expect(done).toBe(40);
    expect(most).toBe(4);
    expect(() => broker.subscribe('t', 'g', () => undefined, { prefetch: 0 })).toThrow(/prefetch/);
    broker.close();
  });

  it('bounds each queue and counts what it drops; refuses publishes once closed', () => {
    const broker = new InMemoryBroker({ queueLimit: 10 });
    const subscription = broker.subscribe('t', 'g', () => undefined);
    for (let i = 0; i < 25; i++) broker.publish('t', i);
    expect(subscription.depth).toBe(10);
    expect(broker.dropped).toBe(15);
    broker.close();
    expect(() => broker.publish('t', 1)).toThrow(/closed/);
  });

  it('tells the backlog of a group: waiting, unsettled, the oldest waiting age and consumers', async () => {
    const broker = new InMemoryBroker();
    const release: (() => void)[] = [];
    broker.subscribe('t', 'g', () => new Promise<void>((resolve) => release.push(resolve)), { prefetch: 2 });
    broker.subscribe('t', 'other', () => undefined);
    expect(broker.backlog('t', 'g')).toEqual({ waiting: 0, unsettled: 0, oldestAgeSeconds: 0, consumers: 1 });
    const first = Date.now();
    for (let i = 0; i < 5; i++) broker.publish('t', i);
    await until(() => release.length === 2);
    const later = first + 3000;
    // Two handed to the hanging handler, three wait; the oldest waiting one is the third published.
    const backlog = broker.backlog('t', 'g', later);
    expect(backlog).toMatchObject({ waiting: 3, unsettled: 2, consumers: 1 });
    expect(backlog.oldestAgeSeconds).toBeGreaterThan(2.9);
    expect(backlog.oldestAgeSeconds).toBeLessThanOrEqual(3);
    expect(broker.backlog('t', 'missing')).toEqual({
      waiting: 0,
      unsettled: 0,
      oldestAgeSeconds: 0,
      consumers: 0,
    });
    // What watchBacklog reads; the in-memory broker never redelivers, so it leaves redeliveries out.
    const reading = await broker.backlogSource('inprocess', 't', 'g').read(new AbortController().signal);
    expect(reading).toMatchObject({ waiting: 3, unsettled: 2, consumers: 1 });
    expect(reading).not.toHaveProperty('redelivered');
    for (const r of release.splice(0)) r();
    await until(() => release.length === 2);
    expect(broker.backlog('t', 'g')).toMatchObject({ waiting: 1, unsettled: 2 });
    broker.close();
  });
});
