import { InvalidArgumentError } from 'commander';

/** Option parsers for commander: each says what was wrong and what is accepted. */

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be 0 or more.`);
    return n;
  };
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('a port is an integer from 0 to 65535 (0 picks a free one).');
  }
  return n;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`use one of: ${choices.join(', ')}.`);
    }
    return value as T;
  };
}

/** Durations as people type them: `90`, `90s`, `15m`, `2h`, `1d`. Returns seconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`"${value}" is not a duration; write e.g. 30s, 15m, 2h or 1d.`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[match[2] ?? 's'] ?? 1;
  return Number(match[1]) * factor;
}
