import { successorDefinition } from './conventions.js';
import { type SignalDefinition, type SignalKey, signalList, signals } from './signals.js';

/**
 * How a signal's OpenTelemetry name becomes a Prometheus metric name depends on the export path.
 *
 * - `prometheus`: prom-client's convention and the OpenTelemetry Collector's translation — dots
 *   become underscores, the unit is appended (`_seconds`, `_bytes`, `_ratio` for unit-1 gauges)
 *   and counters end in `_total`: `messaging_process_duration_seconds`.
 * - `otel`: what `@opentelemetry/exporter-prometheus` (JS) writes — dots become underscores and
 *   counters end in `_total`, but no unit is appended: `messaging_process_duration`. Checked
 *   against the real exporter (0.301) by the instrumentation's export tests: no `_seconds`, no
 *   `_ratio`, attribute names sanitized like `labelName`; it adds `otel_scope_name` and
 *   `otel_scope_version` labels to every series and a `target_info` gauge with the resource, so
 *   queries on this flavor must aggregate the scope labels away (`sum by (...)`) and select
 *   eventscope's scope (`SCOPE_LABEL`): other instrumentations write the same families.
 *
 * Dashboards and alerts are generated for one flavor; each flavor is tested against real /metrics.
 */
export type NamingFlavor = 'prometheus' | 'otel';
export const namingFlavors: readonly NamingFlavor[] = ['prometheus', 'otel'];

const unitSuffixes: Readonly<Record<string, string>> = { s: 'seconds', By: 'bytes', ms: 'milliseconds' };

function resolve(signal: SignalDefinition | SignalKey): SignalDefinition {
  if (typeof signal !== 'string') return signal;
  const found = signals[signal];
  if (!found) throw new Error(`unknown signal "${signal}"; see signalList for the catalog`);
  return found;
}

/** Replace every character Prometheus does not allow in a name with `_`. */
export function sanitizeName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/** Prometheus label name for an OpenTelemetry attribute name: `messaging.system` → `messaging_system`. */
export function labelName(attribute: string): string {
  let out = attribute.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/** The metric family name a signal is exposed under, for one naming flavor. */
export function metricName(
  signal: SignalDefinition | SignalKey,
  flavor: NamingFlavor = 'prometheus',
): string {
  const def = resolve(signal);
  let name = sanitizeName(def.name);
  if (flavor === 'prometheus') {
    const suffix = unitSuffixes[def.unit] ?? (def.unit === '1' && def.kind === 'gauge' ? 'ratio' : undefined);
    if (suffix && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  }
  if (def.kind === 'counter' && !name.endsWith('_total')) name = `${name}_total`;
  return name;
}

/** Every series name a signal produces: `_bucket`, `_sum`, `_count` for histograms, else the name itself. */
export function seriesNames(
  signal: SignalDefinition | SignalKey,
  flavor: NamingFlavor = 'prometheus',
): string[] {
  const def = resolve(signal);
  const base = metricName(def, flavor);
  return def.kind === 'histogram' ? [`${base}_bucket`, `${base}_sum`, `${base}_count`] : [base];
}

/** Prometheus metric type of a signal in the text exposition format. */
export function prometheusType(signal: SignalDefinition | SignalKey): 'histogram' | 'counter' | 'gauge' {
  const kind = resolve(signal).kind;
  return kind === 'histogram' ? 'histogram' : kind === 'counter' ? 'counter' : 'gauge';
}

/** Every definition a signal's series may be exposed under: its name, and its successor's when renamed. */
const exposedDefinitions = (): SignalDefinition[] =>
  signalList.flatMap((def) => (def.successor ? [def, successorDefinition(def)] : [def]));

/**
 * Which signal (and which part of it) a Prometheus series name belongs to, or undefined. A
 * successor's name gives the signal under that name.
 */
export function signalForSeries(
  series: string,
  flavor: NamingFlavor = 'prometheus',
): { signal: SignalDefinition; part: 'bucket' | 'sum' | 'count' | 'value' } | undefined {
  for (const def of exposedDefinitions()) {
    const base = metricName(def, flavor);
    if (def.kind === 'histogram') {
      if (series === `${base}_bucket`) return { signal: def, part: 'bucket' };
      if (series === `${base}_sum`) return { signal: def, part: 'sum' };
      if (series === `${base}_count`) return { signal: def, part: 'count' };
    } else if (series === base) {
      return { signal: def, part: 'value' };
    }
  }
  return undefined;
}

/** Every series name the catalog produces for a flavor, successors' names included. */
export function allSeriesNames(flavor: NamingFlavor = 'prometheus'): Set<string> {
  return new Set(exposedDefinitions().flatMap((def) => seriesNames(def, flavor)));
}

/**
 * The Prometheus label names of a signal. Scrape-time target labels (`job`, `instance`) and the
 * histogram `le` label are not part of the catalog, but every series carries them.
 */
export function labelNames(signal: SignalDefinition | SignalKey): string[] {
  return resolve(signal).labels.map(labelName);
}

/** Labels Prometheus or the exposition adds to every series, which queries may always use. */
export const targetLabels = ['job', 'instance'] as const;
