import { describe, expect, it } from 'vitest';
import { getHeader, headerText } from '../src/propagation.js';

/** One reading of a header value, whichever carrier it comes from (plain headers, Kafka, AMQP, MQTT, Redis). */
describe('headerText', () => {
  it('gives a string as it is', () => {
    expect(headerText('00-abc')).toBe('00-abc');
    expect(headerText('')).toBe('');
    expect(headerText(' \uFEFF1700000000000 ')).toBe(' \uFEFF1700000000000 ');
  });

  it('decodes bytes as UTF-8 exactly: a leading byte order mark is kept, malformed bytes become U+FFFD', () => {
    expect(headerText(Buffer.from('1700000000000'))).toBe('1700000000000');
    expect(headerText(Buffer.from('\uFEFFtraceparent'))).toBe('\uFEFFtraceparent');
    expect(headerText(Buffer.from('commandé'))).toBe('commandé');
    expect(headerText(Buffer.from([0x31, 0xff, 0x32]))).toBe('1\uFFFD2');
    expect(headerText(new Uint8Array([0x6f, 0x6b]))).toBe('ok');
  });

  it('decodes only the bytes a view covers', () => {
    const pool = Buffer.from('xxabcxx');
    expect(headerText(new Uint8Array(pool.buffer, pool.byteOffset + 2, 3))).toBe('abc');
    expect(headerText(pool.subarray(2, 5))).toBe('abc');
  });

  it('reads a list by its first item, and an empty list as absent', () => {
    expect(headerText(['first', 'second'])).toBe('first');
    expect(headerText([Buffer.from('bytes'), 'text'])).toBe('bytes');
    expect(headerText([['nested']])).toBe('nested');
    expect(headerText([])).toBeUndefined();
  });

  it('writes numbers and bigints in decimal', () => {
    expect(headerText(1700000000000)).toBe('1700000000000');
    expect(headerText(12n)).toBe('12');
  });

  it('has no text for anything else', () => {
    for (const value of [undefined, null, true, {}, new Int8Array([49]), new DataView(new ArrayBuffer(1))]) {
      expect(headerText(value)).toBeUndefined();
    }
  });

  it('is what the default carrier reads, from a plain object, a Map or anything with get()', () => {
    const bytes = Buffer.from('\uFEFF1');
    expect(getHeader({ k: bytes }, 'k')).toBe('\uFEFF1');
    expect(getHeader(new Map([['k', [bytes]]]), 'k')).toBe('\uFEFF1');
    expect(getHeader({ get: (key: string) => (key === 'k' ? 7 : undefined) }, 'k')).toBe('7');
    expect(getHeader(null, 'k')).toBeUndefined();
  });
});
