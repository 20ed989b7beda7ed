import { attributes } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { instrumentProducer, SignalStore } from '../../src/index.js';

const base = (store: SignalStore) => ({
  system: 'inprocess',
  store,
  registry: false as const,
  runtime: false,
});
const sentSeries = (store: SignalStore, destination: string, errorType?: string) =>
  store.series('sentMessages', {
    [attributes.system]: 'inprocess',
    [attributes.destination]: destination,
    [attributes.operationName]: 'send',
    [attributes.errorType]: errorType,
  });

describe('instrumentProducer', () => {
  it('returns a promise settling as the send function’s own, and counts sent messages by outcome', async () => {
    const store = new SignalStore();
    const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    let attempt = 0;
    const pending: Promise<string>[] = [];
    const send = instrumentProducer(
      (_topic: string, _message: object) => {
        const p = ++attempt % 3 === 0 ? Promise.reject(refused) : Promise.resolve('ack');
        pending.push(p);
        return p;
      },
      { ...base(store), destination: ([topic]) => topic },
    );
    const results = [];
    for (let i = 0; i < 9; i++) {
      const p = send('orders', { id: i });
      expect(p).toBeInstanceOf(Promise);
      expect(p).not.toBe(pending[i]);
      results.push(
        await p.then(
          (v) => v,
          (e) => e,
        ),
      );
    }
    expect(results.filter((r) => r === refused)).toHaveLength(3);
    expect(results.filter((r) => r === 'ack')).toHaveLength(6);
    expect(sentSeries(store, 'orders').value).toBe(6);
    expect(sentSeries(store, 'orders', 'ECONNREFUSED').value).toBe(3);
  });

  it('rethrows a sync failure untouched and counts it', () => {
    const store = new SignalStore();
    const boom = new RangeError('too big');
    const send = instrumentProducer(
      (_m: object) => {
        throw boom;
      },
      { ...base(store), destination: 'orders' },
    );
    expect(() => send({})).toThrow(boom);
    expect(sentSeries(store, 'orders', 'RangeError').value).toBe(1);
  });

  it('counts every message of a batch send, and a message with no place for headers', () => {
    const store = new SignalStore();
    const sendBatch = instrumentProducer((messages: object[]) => messages.length, {
      ...base(store),
      destination: 'orders',
      messageCount: ([messages]) => messages.length,
    });
    // An array is no message object: nothing can be injected, and that is counted.
    expect(sendBatch([{}, {}, {}])).toBe(3);
    expect(sentSeries(store, 'orders').value).toBe(3);
    const noCarrier = store.series('propagationErrors', {
      [attributes.system]: 'inprocess',
      [attributes.destination]: 'orders',
      [attributes.propagationError]: 'carrier',
    });
    expect(noCarrier.value).toBe(1);
  });

  it('writes headers into a Map carrier and a frozen message stays untouched', () => {
    const store = new SignalStore();
    const send = instrumentProducer((_m: object) => true, { ...base(store), destination: 'orders' });
    const withMap = { headers: new Map<string, string>() };
    send(withMap);
    expect(Number(withMap.headers.get('eventscope-created'))).toBeGreaterThan(Date.now() - 60_000);
    const frozen = Object.freeze({ body: 'x' });
    expect(send(frozen)).toBe(true);
    expect(frozen).toEqual({ body: 'x' });
  });
});
