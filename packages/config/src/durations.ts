/** Prometheus durations (`1h30m`, `5m`, `3d`) as text and as whole seconds. */

const HOUR = 3600;
const DAY = 24 * HOUR;

const units: readonly [string, number][] = [
  ['w', 7 * DAY],
  ['d', DAY],
  ['h', HOUR],
  ['m', 60],
  ['s', 1],
];

/** Seconds as a Prometheus duration: 3600 → `1h`, 90 → `1m30s`, 604800 → `1w`. */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`not a whole number of seconds: ${seconds}`);
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A Prometheus duration (`1h30m`, `5m`, `3d`) in seconds, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+[wdhms])+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+)([wdhms])/g)) {
    const size = units.find(([u]) => u === match[2])?.[1] ?? 0;
    total += Number(match[1]) * size;
  }
  return total;
}

export const SECONDS = { HOUR, DAY, WEEK: 7 * DAY } as const;
