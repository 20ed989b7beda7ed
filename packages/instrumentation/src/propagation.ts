import { createTraceState, type SpanContext, TraceFlags } from '@opentelemetry/api';
import type { CarrierReader, CarrierWriter } from './types.js';

/**
 * Reading and writing the headers that travel with a message: W3C `traceparent`/`tracestate`
 * (https://www.w3.org/TR/trace-context/) and eventscope's creation and origin times. Parsing is strict
 * — a malformed value is reported to the caller, which counts it and processes the event anyway —
 * and never throws.
 */

const ALL_ZERO_TRACE = '00000000000000000000000000000000';
const ALL_ZERO_SPAN = '0000000000000000';

const hexValue = (c: number) => (c <= 57 ? c - 48 : c - 87);

/** Lowercase hex digits in text[from, to). */
function isLowerHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * The remote span context a `traceparent` header names, or undefined when it is malformed:
 * `version-traceid-parentid-flags`, lowercase hex, no all-zero ids, version `ff` invalid, and for
 * version 00 nothing after the flags. Hand-written rather than a regular expression: it runs for
 * every event that carries the header.
 */
export function parseTraceparent(header: string): SpanContext | undefined {
  let text = header;
  if (text.length !== 55) {
    text = text.trim();
    if (text.length < 55) return undefined;
  }
  if (
    text.charCodeAt(2) !== 45 ||
    text.charCodeAt(35) !== 45 ||
    text.charCodeAt(52) !== 45 ||
    !isLowerHex(text, 0, 2) ||
    !isLowerHex(text, 3, 35) ||
    !isLowerHex(text, 36, 52) ||
    !isLowerHex(text, 53, 55)
  ) {
    return undefined;
  }
  const version = text.slice(0, 2);
  if (version === 'ff') return undefined;
  // Version 00 has exactly four fields; later versions may append fields after a dash.
  if (text.length > 55 && (version === '00' || text.charCodeAt(55) !== 45)) return undefined;
  const traceId = text.slice(3, 35);
  const spanId = text.slice(36, 52);
  if (traceId === ALL_ZERO_TRACE || spanId === ALL_ZERO_SPAN) return undefined;
  return {
    traceId,
    spanId,
    // Only the sampled bit is defined; the other flag bits are reserved.
    traceFlags: hexValue(text.charCodeAt(54)) & 1 ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
}

/** The `traceparent` header value for a span context. */
export function formatTraceparent(context: SpanContext): string {
  const flags = context.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

const TRACESTATE_KEY =
  /^(?:[a-z0-9][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_TRACESTATE_MEMBERS = 32;

/** Whether a `tracestate` header is well formed (list members `key=value`, at most 32). */
export function isValidTracestate(header: string): boolean {
  if (header.length > 8192) return false;
  let members = 0;
  for (const raw of header.split(',')) {
    const member = raw.trim();
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return false;
    if (!TRACESTATE_KEY.test(member.slice(0, eq)) || !TRACESTATE_VALUE.test(member.slice(eq + 1)))
      return false;
    if (++members > MAX_TRACESTATE_MEMBERS) return false;
  }
  return true;
}

/** Attach a (valid) tracestate to a parsed remote context. */
export function withTracestate(context: SpanContext, header: string): SpanContext {
  return { ...context, traceState: createTraceState(header) };
}

// Creation times are epoch milliseconds. Values outside 2000–2100 are a unit mix-up (seconds,
// microseconds) or garbage, and an age computed from them would be meaningless.
const EARLIEST_EPOCH_MS = 946_684_800_000;
const LATEST_EPOCH_MS = 4_102_444_800_000;

/** A plausible epoch-milliseconds time, or undefined. */
export function plausibleEpochMillis(value: number): number | undefined {
  return Number.isFinite(value) && value >= EARLIEST_EPOCH_MS && value <= LATEST_EPOCH_MS ? value : undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Parse a creation- or origin-time header (decimal epoch milliseconds, optionally with up to six
 * fraction digits), or undefined when malformed. Hand-written: it runs for every event.
 */
export function parseEpochMillis(header: string): number | undefined {
  let text = header;
  if (!isDigit(text.charCodeAt(0)) || !isDigit(text.charCodeAt(text.length - 1))) {
    text = text.trim();
    if (!isDigit(text.charCodeAt(0)) || !isDigit(text.charCodeAt(text.length - 1))) return undefined;
  }
  const n = text.length;
  let value = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) break;
    if (!isDigit(c) || i >= 16) return undefined;
    value = value * 10 + (c - 48);
  }
  if (i < n) {
    if (n - i - 1 > 6) return undefined;
    let scale = 0.1;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (!isDigit(c)) return undefined;
      value += (c - 48) * scale;
      scale /= 10;
    }
  }
  return plausibleEpochMillis(value);
}

/** The epoch-milliseconds header value eventscope writes. */
export function formatEpochMillis(ms: number): string {
  return String(Math.round(ms));
}

// A header's bytes are its value: a leading byte order mark is kept, not taken for an encoding hint.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A header value as text, the one reading every carrier uses: a string as it is; bytes (Kafka
 * headers, Buffers, Redis fields) decoded as UTF-8 exactly — nothing stripped, malformed sequences
 * as U+FFFD; a list by its first item (none: undefined); a number or bigint in decimal (AMQP tables
 * carry numbers). Anything else has no text: undefined.
 */
export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return decoder.decode(value);
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

type HeaderBag = Map<string, unknown> | { get(key: string): unknown } | Record<string, unknown>;

/** Read a header from a plain object, a Map, or anything with `get(key)` (NATS `MsgHdrs`, `Headers`). */
export function getHeader(carrier: unknown, key: string): string | undefined {
  if (carrier === null || typeof carrier !== 'object') return undefined;
  const bag = carrier as HeaderBag;
  if (typeof bag.get === 'function') return headerText((bag as { get(key: string): unknown }).get(key));
  return headerText((bag as Record<string, unknown>)[key]);
}

/** Write a header into a plain object, a Map, or anything with `set(key, value)`. */
export function setHeader(carrier: unknown, key: string, value: string): void {
  if (carrier === null || typeof carrier !== 'object') return;
  const bag = carrier as { set?: unknown } & Record<string, unknown>;
  if (typeof bag.set === 'function') (bag.set as (k: string, v: string) => void).call(carrier, key, value);
  else bag[key] = value;
}

/** The default carrier of an incoming message: its `headers` (plain object or Map). */
export const defaultCarrierReader: CarrierReader<unknown, unknown> = {
  carrier: (message) =>
    message !== null && typeof message === 'object' ? (message as { headers?: unknown }).headers : undefined,
  get: getHeader,
};

/**
 * The default carrier of a send call: `headers` of its first argument, created as a plain object
 * when the message is an object without one. Calls whose first argument is not an object carry no
 * headers.
 */
export const defaultCarrierWriter: CarrierWriter<unknown[], unknown> = {
  carrier: (args) => {
    const message = args[0];
    if (message === null || typeof message !== 'object' || Array.isArray(message)) return undefined;
    const holder = message as { headers?: unknown };
    if (holder.headers !== null && typeof holder.headers === 'object') return holder.headers;
    if (holder.headers !== undefined || !Object.isExtensible(message)) return undefined;
    const headers: Record<string, string> = {};
    holder.headers = headers;
    return headers;
  },
  set: setHeader,
  get: getHeader,
};
