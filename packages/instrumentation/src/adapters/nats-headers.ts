import type { JsMsg, Msg, MsgHdrs } from 'nats';
import { headers as createHeaders } from 'nats';
import type { CarrierReader, CarrierWriter } from '../types.js';

/**
 * Trace context and creation times in NATS headers, read and written once per message.
 *
 * nats.js keeps a message's headers in a `Map` of key → values (`MsgHdrsImpl.headers`). Its
 * `get(key)` builds an array of every key to find an exact match, and `set(key, value)` deletes,
 * re-validates the key and searches the keys again before appending: per event, that was most of
 * what the adapter added on top of the header codec itself. An exact-match lookup in the map is
 * what `get` returns; writing a key the message does not have yet is what `set` stores for a valid
 * value. Where the map is not there (another client version) the public methods are used.
 */

type HeaderMap = Map<string, string[]>;

const mapOf = (headers: MsgHdrs): HeaderMap | undefined => {
  const map = (headers as { headers?: unknown }).headers;
  return map instanceof Map ? (map as HeaderMap) : undefined;
};

/** The first value of a header, exactly as `headers.get(key)` gives it; an empty value reads as absent. */
export function natsHeader(headers: MsgHdrs, key: string): string | undefined {
  const map = mapOf(headers);
  const value = map === undefined ? headers.get(key) : map.get(key)?.[0];
  return value || undefined;
}

// A CR or LF would end the header block early; nats.js rejects such values, and so does this.
const LINE_BREAK = /[\r\n]/;

function setNatsHeader(headers: MsgHdrs, key: string, value: string): void {
  const map = mapOf(headers);
  // Only keys the message lacks are written (see inject in producer.ts); anything else takes the public path.
  if (map === undefined || map.has(key) || LINE_BREAK.test(value)) headers.set(key, value);
  else map.set(key, [value.trim()]);
}

export const natsHeaderReader: CarrierReader<Msg | JsMsg, MsgHdrs> = {
  carrier: (message) => message.headers,
  get: natsHeader,
};

/**
 * Header blocks an instrumented producer wrote: a message handed on inside the client with one of
 * these (nats.js sends `request()` through the connection's own `publish()`, and JetStream's
 * `publish()` through `request()`) was counted by the outer call already. The writer makes a new
 * block for every message, so a block received and sent on again is never among them.
 */
const written = new WeakSet<object>();

/** Whether a publish-style call's options carry headers an instrumented producer up the stack wrote. */
export function stampedUpstream(options: unknown): boolean {
  const headers = (options as { headers?: unknown } | undefined)?.headers;
  return typeof headers === 'object' && headers !== null && written.has(headers);
}

/**
 * The headers of a publish-style call `(subject, payload, options)`. The user's options and
 * headers are copied, never mutated: an options object reused across publishes must not carry
 * one message's trace context into the next.
 */
export const natsHeaderWriter: CarrierWriter<unknown[], MsgHdrs> = {
  carrier: (args) => {
    const options = args[2] as { headers?: MsgHdrs } | undefined;
    const headers = createHeaders();
    if (options?.headers)
      for (const [key, values] of options.headers) for (const v of values) headers.append(key, v);
    args[2] = { ...options, headers };
    written.add(headers);
    return headers;
  },
  set: setNatsHeader,
  get: natsHeader,
};
