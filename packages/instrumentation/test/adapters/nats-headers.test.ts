import { headers as createHeaders, type MsgHdrs } from 'nats';
import { describe, expect, it } from 'vitest';
import { natsHeader, natsHeaderWriter } from '../../src/adapters/nats-headers.js';

/** The same headers seen only through the public MsgHdrs methods, as another client version might be. */
function publicOnly(headers: MsgHdrs): MsgHdrs {
  return {
    get: (key: string) => headers.get(key),
    set: (key: string, value: string) => headers.set(key, value),
    keys: () => headers.keys(),
  } as unknown as MsgHdrs;
}

/** The header block nats.js puts on the wire. */
const wire = (headers: MsgHdrs) =>
  Buffer.from((headers as unknown as { encode(): Uint8Array }).encode()).toString();

describe('NATS header access', () => {
  it('reads what headers.get reads, with and without the client’s map', () => {
    const headers = createHeaders();
    headers.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    headers.append('eventscope-created', '1767225600000');
    headers.append('eventscope-created', '1767225600001');
    headers.set('empty', '');
    for (const view of [headers, publicOnly(headers)]) {
      for (const key of ['traceparent', 'eventscope-created', 'empty', 'Traceparent', 'missing']) {
        expect(natsHeader(view, key)).toBe(headers.get(key) || undefined);
      }
    }
  });

  it('writes a new key exactly as headers.set would, and encodes the same bytes', () => {
    const args: unknown[] = ['orders', 'x'];
    const written = natsHeaderWriter.carrier(args) as MsgHdrs;
    natsHeaderWriter.set(written, 'eventscope-created', ' 1767225600000 ');
    const expected = createHeaders();
    expected.set('eventscope-created', ' 1767225600000 ');
    expect(written.get('eventscope-created')).toBe('1767225600000');
    expect(wire(written)).toBe(wire(expected));
  });

  it('keeps the user’s headers, never mutates their options, and rejects a line break like nats.js does', () => {
    const userHeaders = createHeaders();
    userHeaders.set('tenant', 'acme');
    const options = { headers: userHeaders };
    const args: unknown[] = ['orders', 'x', options];
    const written = natsHeaderWriter.carrier(args) as MsgHdrs;
    natsHeaderWriter.set(written, 'tenant', 'other');
    expect(written.get('tenant')).toBe('other');
    expect(userHeaders.get('tenant')).toBe('acme');
    expect(args[2]).not.toBe(options);
    expect(() => natsHeaderWriter.set(written, 'traceparent', 'a\r\nb')).toThrow(/invalid header value/);
    expect(written.has('traceparent')).toBe(false);
  });
});
