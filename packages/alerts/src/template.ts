/**
 * The subset of Prometheus' annotation templating the generated rules use, rendered the way
 * Prometheus renders it, so the generated promtool tests can state the exact annotations an alert
 * carries. Supported: `{{ $labels.name }}` and `{{ $value | f }}` with f one of humanize,
 * humanize1024, humanizePercentage, humanizeDuration (a bare `{{ $value }}` prints Go's shortest
 * float form, which the rules avoid).
 */

/** Go's `fmt.Sprintf("%.4g", v)`. */
export function goFormat4g(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential(3).split('e') as [string, string];
  const exponent = Number(exponentText);
  const trim = (digits: string) =>
    digits.includes('.') ? digits.replace(/0+$/, '').replace(/\.$/, '') : digits;
  if (exponent < -4 || exponent >= 4) {
    const sign = exponent < 0 ? '-' : '+';
    return `${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(value.toFixed(3 - exponent));
}

const bigPrefixes = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const smallPrefixes = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return goFormat4g(value);
  let v = value;
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of bigPrefixes) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of smallPrefixes) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${goFormat4g(v)}${prefix}`;
}

export function humanize1024(value: number): string {
  if (Math.abs(value) <= 1 || !Number.isFinite(value)) return goFormat4g(value);
  let v = value;
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${goFormat4g(v)}${prefix}`;
}

export function humanizePercentage(value: number): string {
  return `${goFormat4g(value * 100)}%`;
}

export function humanizeDuration(value: number): string {
  if (!Number.isFinite(value)) return goFormat4g(value);
  if (value === 0) return `${goFormat4g(value)}s`;
  if (Math.abs(value) >= 1) {
    const sign = value < 0 ? '-' : '';
    const v = Math.abs(value);
    const whole = Math.trunc(v);
    const seconds = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goFormat4g(v)}s`;
  }
  let v = value;
  let prefix = '';
  for (const p of smallPrefixes) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goFormat4g(v)}${prefix}s`;
}

const formatters: Record<string, (v: number) => string> = {
  humanize,
  humanize1024,
  humanizePercentage,
  humanizeDuration,
};

/** Render an annotation template for an alert with these (expression) labels and value. */
export function renderTemplate(
  template: string,
  labels: Readonly<Record<string, string>>,
  value: number,
): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (whole, body: string) => {
    const labelRef = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(body);
    if (labelRef) return labels[labelRef[1]!] ?? '';
    const valueRef = /^\$value\s*\|\s*([a-zA-Z0-9]+)$/.exec(body);
    if (valueRef) {
      const name = valueRef[1]!;
      const format = formatters[name];
      if (!format) throw new Error(`template function ${name} is not supported: ${whole}`);
      return format(value);
    }
    throw new Error(`template expression not supported: ${whole}`);
  });
}
