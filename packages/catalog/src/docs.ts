import { labelName, metricName, type NamingFlavor } from './naming.js';
import { type SignalDefinition, signalList } from './signals.js';

/** Markers between which package READMEs carry the generated signal table. */
export const SIGNALS_BEGIN =
  '<!-- signals:begin (generated from @eventscope/catalog; run `pnpm run docs`) -->';
export const SIGNALS_END = '<!-- signals:end -->';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A markdown table of signals: OTel name, Prometheus names per flavor, kind, unit, labels, how cluster
 * workers combine (prom-client `AggregatorRegistry`), meaning.
 */
export function renderSignalTable(
  filter: (signal: SignalDefinition) => boolean = () => true,
  flavors: readonly NamingFlavor[] = ['prometheus', 'otel'],
): string {
  const header = [
    'Signal (OpenTelemetry)',
    ...flavors.map((f) => (f === 'prometheus' ? 'Prometheus (prom-client)' : 'Prometheus (OTel exporter)')),
    'Kind',
    'Unit',
    'Labels',
    'Convention',
    'Cluster',
    'Meaning',
  ];
  const rows = signalList
    .filter(filter)
    .map((def) => [
      `\`${def.name}\``,
      ...flavors.map((f) => `\`${metricName(def, f)}\``),
      def.kind,
      `\`${def.unit}\``,
      def.labels.length ? def.labels.map((l) => `\`${labelName(l)}\``).join(', ') : '—',
      def.convention.source === 'otel' ? `[OTel semconv](${def.convention.reference})` : 'eventscope',
      clusterCell(def),
      escapeCell(def.successor ? `${def.help} ${successorNote(def)}` : def.help),
    ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** How prom-client's cluster mode combines the signal's workers, and why, for a gauge. */
function clusterCell(def: SignalDefinition): string {
  return def.aggregatorReason ? `${def.aggregator}: ${escapeCell(def.aggregatorReason)}` : def.aggregator;
}

/** How a renamed signal is emitted under its successor's name. */
export function successorNote(def: SignalDefinition): string {
  const s = def.successor;
  if (!s) return '';
  return `Renamed \`${s.name}\` in semconv ${s.since} ([schema](${s.reference})): emitted under the new name with \`OTEL_SEMCONV_STABILITY_OPT_IN=${s.optIn}\`, under both with \`${s.optIn}/dup\`; queries select the name \`semconvNames\` says.`;
}

/** Replace the generated block in a README (or fail if its markers are missing). */
export function replaceSignalBlock(readme: string, table: string): string {
  const begin = readme.indexOf(SIGNALS_BEGIN);
  const end = readme.indexOf(SIGNALS_END);
  if (begin < 0 || end < begin) {
    throw new Error(`README has no generated signal block; add the lines\n${SIGNALS_BEGIN}\n${SIGNALS_END}`);
  }
  return `${readme.slice(0, begin + SIGNALS_BEGIN.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
