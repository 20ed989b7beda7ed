import { UsageError } from './errors.js';
import { parseDuration } from './options.js';

/** A time range for `report`: `START..END`, each an ISO time, unix seconds, `now` or `now-15m`. */
export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
}

function parseInstant(text: string, now: number, what: string): number {
  const value = text.trim();
  if (value === 'now') return now;
  const relative = /^now-(.+)$/.exec(value);
  if (relative) {
    try {
      return now - parseDuration(relative[1]!);
    } catch {
      throw new UsageError(`${what}: "${value}" is not a time; write now-15m, now-2h …`);
    }
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new UsageError(
      `${what}: "${value}" is not a time; use an ISO time (2026-11-20T10:00Z), unix seconds, now or now-15m`,
    );
  }
  return parsed / 1000;
}

export function parseTimeRange(text: string, what: string, now = Date.now() / 1000): TimeRange {
  const parts = text.split('..');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(
      `${what} must be START..END, e.g. now-2h..now-1h or 2026-11-20T10:00Z..2026-11-20T11:00Z`,
    );
  }
  const start = parseInstant(parts[0], now, what);
  const end = parseInstant(parts[1], now, what);
  if (!(end > start)) throw new UsageError(`${what}: the end must come after the start`);
  if (end - start < 10)
    throw new UsageError(`${what}: a range shorter than 10 s holds too few scrapes to compare`);
  return { start, end };
}

/** A PromQL range selector duration for a span of seconds, e.g. 3600 → `3600s`. */
export const promDuration = (seconds: number) => `${Math.max(1, Math.round(seconds))}s`;
