import { labelName, metricName, prometheusType, type SignalDefinition } from '@eventscope/catalog';
import {
  type CounterSeries,
  defaultStore,
  type GaugeSeries,
  HistogramSeries,
  type Series,
  type SignalFamily,
  type SignalStore,
} from '../store.js';

/**
 * The Prometheus text exposition format (0.0.4) for a store, written by hand for speed.
 *
 * Everything that depends only on a series' identity — its escaped label string, the full prefix of
 * every bucket line — is built the first time the series is exported and cached beside it, so a
 * scrape is one pass of string concatenation over numbers. The output follows prom-client's
 * conventions (label order as declared, `le` last, bounds written with JavaScript's shortest
 * round-trip form, `+Inf`), so the same store reads the same whichever exporter serves it.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Escape a label value: backslash, double quote and line feed, per the text format. */
function escapeLabelValue(value: string): string {
  // Most values need no escaping; skip the three replaces for them.
  if (!/["\\\n]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Escape HELP text: backslash and line feed (quotes stay as they are). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the text format spells it. */
function formatValue(value: number): string {
  if (Number.isFinite(value)) return `${value}`;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** A bucket bound as prom-client writes it in `le`. */
function formatBound(bound: number): string {
  return bound === Number.POSITIVE_INFINITY ? '+Inf' : `${bound}`;
}

/**
 * `name="value"` pairs of a series, in the signal's label order, leaving out unset ('') values —
 * Prometheus treats an empty label as an absent one, and the OpenTelemetry path omits the attribute.
 */
function labelPairs(signal: SignalDefinition, values: readonly string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < signal.labels.length; i++) {
    const value = values[i];
    if (value) pairs.push(`${labelName(signal.labels[i]!)}="${escapeLabelValue(value)}"`);
  }
  return pairs;
}

const braces = (pairs: readonly string[]) => (pairs.length ? `{${pairs.join(',')}}` : '');

/** Line prefixes of one series (everything before the value), built once per name it is exported under. */
type SeriesLines = readonly string[];
const linesByName = new Map<SignalDefinition, WeakMap<Series, SeriesLines>>();

function seriesLines(signal: SignalDefinition, name: string, series: Series): SeriesLines {
  let linesBySeries = linesByName.get(signal);
  if (!linesBySeries) linesByName.set(signal, (linesBySeries = new WeakMap()));
  let lines = linesBySeries.get(series);
  if (lines) return lines;
  const pairs = labelPairs(signal, series.values);
  if (series instanceof HistogramSeries) {
    const built: string[] = [];
    for (const bound of [...series.bounds, Number.POSITIVE_INFINITY]) {
      built.push(`${name}_bucket${braces([...pairs, `le="${formatBound(bound)}"`])} `);
    }
    built.push(`${name}_sum${braces(pairs)} `, `${name}_count${braces(pairs)} `);
    lines = built;
  } else {
    lines = [`${name}${braces(pairs)} `];
  }
  linesBySeries.set(series, lines);
  return lines;
}

const headers = new Map<SignalDefinition, string>();

function familyHeader(signal: SignalDefinition, name: string): string {
  let header = headers.get(signal);
  if (header === undefined) {
    header = `# HELP ${name} ${escapeHelp(signal.help)}\n# TYPE ${name} ${prometheusType(signal)}\n`;
    headers.set(signal, header);
  }
  return header;
}

/** One metric family (HELP, TYPE, every series) under one of its names, prometheus naming flavor. */
function renderFamily(family: SignalFamily, signal: SignalDefinition): string {
  const name = metricName(signal, 'prometheus');
  let out = familyHeader(signal, name);
  for (const series of family.series.values()) {
    const lines = seriesLines(signal, name, series);
    if (series instanceof HistogramSeries) {
      const counts = series.counts;
      let running = 0;
      for (let i = 0; i < counts.length; i++) {
        running += counts[i]!;
        out += `${lines[i]}${running}\n`;
      }
      out += `${lines[counts.length]}${formatValue(series.sum)}\n`;
      out += `${lines[counts.length + 1]}${series.count}\n`;
    } else {
      out += `${lines[0]}${formatValue((series as CounterSeries | GaugeSeries).value)}\n`;
    }
  }
  return out;
}

/**
 * A store (default: the shared one the wrappers record into) in the text format, for a /metrics
 * route of your own. Runs the store's collect hooks first (runtime gauges sample heap and loop
 * delay there).
 */
export function renderExposition(store: SignalStore = defaultStore): string {
  store.collect();
  let out = '';
  for (const family of store.allFamilies()) {
    for (const signal of store.exportedAs(family.signal)) out += renderFamily(family, signal);
  }
  return out;
}
