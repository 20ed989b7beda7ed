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
