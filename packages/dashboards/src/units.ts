/** Values formatted the way Grafana's units show them, for panel descriptions and the preview. */

const si = (value: number, suffix: string, base: number, prefixes: readonly string[]): string => {
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < prefixes.length - 1) {
    v /= base;
    i++;
  }
  return `${Math.sign(value) < 0 ? '-' : ''}${round(v)} ${prefixes[i]}${suffix}`.trim();
};

function round(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const fixed = value.toFixed(digits);
  // Trailing zeros of a fraction only: 100 stays 100, 2.50 becomes 2.5.
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function seconds(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${round(value * 1e6)} µs`;
  if (abs < 1) return `${round(value * 1e3)} ms`;
  if (abs < 120) return `${round(value)} s`;
  if (abs < 7200) return `${round(value / 60)} min`;
  if (abs < 172_800) return `${round(value / 3600)} h`;
  return `${round(value / 86_400)} d`;
}

export function formatValue(value: number, unit = 'short'): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 's':
      return seconds(value);
    case 'bytes':
      return si(value, 'B', 1024, ['', 'Ki', 'Mi', 'Gi', 'Ti']);
    case 'percentunit':
      return `${round(value * 100)} %`;
    case 'percent':
      return `${round(value)} %`;
    case 'ops':
      return `${si(value, '', 1000, ['', 'k', 'M', 'G'])}/s`.replace(' /s', '/s');
    default:
      return si(value, '', 1000, ['', 'k', 'M', 'G', 'T']);
  }
}
