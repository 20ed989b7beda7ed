/** Number formatting shared by the terminal view and the report. */

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 0.001) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
  return `${seconds.toFixed(2)} s`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const mib = bytes / 2 ** 20;
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(0)} MiB`;
}

export function formatPercent(ratio: number, digits = 1): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)} %`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** CPU seconds per second, as cores in use: 0.125 cores. */
export function formatCores(cores: number): string {
  if (!Number.isFinite(cores)) return '–';
  return `${cores.toFixed(3)} cores`;
}

/** Signed relative change: +12.3 %, −30.0 %; '–' when there is no baseline. */
export function formatChange(before: number, after: number): string {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return '–';
  if (before === 0) return after === 0 ? '0.0 %' : 'new';
  const change = (after - before) / Math.abs(before);
  const sign = change > 0 ? '+' : change < 0 ? '−' : '';
  return `${sign}${Math.abs(change * 100).toFixed(1)} %`;
}

/** A signed difference in a figure's own format: +1.2 ms, −12 MiB, ±0 for none. */
export function formatDifference(difference: number, format: (magnitude: number) => string): string {
  if (!Number.isFinite(difference)) return '–';
  if (difference === 0) return `±${format(0)}`;
  return `${difference > 0 ? '+' : '−'}${format(Math.abs(difference))}`;
}

/** A difference of two ratios in percentage points: 0.0123 → 1.23 pp. */
export function formatPoints(ratioDifference: number, digits = 2): string {
  if (!Number.isFinite(ratioDifference)) return '–';
  return `${(ratioDifference * 100).toFixed(digits)} pp`;
}

/** How many times the baseline: ×19.4, ×4066. */
export function formatFactor(factor: number): string {
  if (!Number.isFinite(factor)) return '–';
  return `×${factor.toFixed(factor < 100 ? 1 : 0)}`;
}
