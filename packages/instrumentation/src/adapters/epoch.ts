/**
 * Broker timestamps arrive in many shapes: JetStream nanoseconds, Kafka millisecond strings,
 * AMQP seconds, Redis stream ids. Each helper returns epoch milliseconds, or undefined when the
 * value is missing or not a plausible time, so a bad timestamp never becomes a wild age.
 */

/** Epoch ms from a decimal string or number of milliseconds. */
export function millisFrom(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Epoch ms from a Redis stream id (`<ms>-<seq>`). */
export function millisFromStreamId(id: unknown): number | undefined {
  const text =
    typeof id === 'string' ? id : id instanceof Uint8Array ? Buffer.from(id).toString() : undefined;
  if (text === undefined) return undefined;
  const dash = text.indexOf('-');
  return millisFrom(dash < 0 ? text : text.slice(0, dash));
}

/** A header value (string, Buffer, array of either) as a string. */
export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString();
  if (Array.isArray(value)) return value.length > 0 ? headerText(value[0]) : undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
