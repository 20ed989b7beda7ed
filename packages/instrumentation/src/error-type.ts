import { ERROR_TYPE_OTHER } from '@eventscope/catalog';

/**
 * `error.type` for a failed handler or send: the error's `code` (`ECONNREFUSED`, `ERR_STREAM_DESTROYED`)
 * when it has a string one, else its `name` (`ValidationError`, `TypeError`). Label values must stay
 * low-cardinality, so only identifier-like values are kept, and the set of distinct values a process
 * reports is bounded: past the bound, and for anything that is not an identifier (thrown strings,
 * messages used as names, plain objects), the value is `_OTHER`.
 */

/** Distinct error types one process reports before new ones fold into `_OTHER`. */
const MAX_ERROR_TYPES = 64;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const seen = new Set<string>();

function admit(candidate: unknown): string | undefined {
  if (typeof candidate !== 'string' || !IDENTIFIER.test(candidate)) return undefined;
  if (seen.has(candidate)) return candidate;
  if (seen.size >= MAX_ERROR_TYPES) return ERROR_TYPE_OTHER;
  seen.add(candidate);
  return candidate;
}

/** Classify a thrown or rejected value. Never throws, even for an error whose getters do. */
export function errorType(error: unknown): string {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return ERROR_TYPE_OTHER;
  try {
    const e = error as { code?: unknown; name?: unknown };
    return admit(e.code) ?? admit(e.name) ?? ERROR_TYPE_OTHER;
  } catch {
    return ERROR_TYPE_OTHER;
  }
}
