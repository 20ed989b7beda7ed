import {
  labelName,
  metricName,
  type NamingFlavor,
  type SignalDefinition,
  signalList,
} from '@eventscope/catalog';
import type { Command } from 'commander';
import { oneOf } from '../options.js';
import { wrapList } from '../view/table.js';

/** Terminal width the text output keeps within. */
export const CATALOG_WIDTH = 100;

/**
 * The catalog as text within CATALOG_WIDTH columns: a block per signal, grouped — its OpenTelemetry
 * name, kind and unit, its Prometheus name in the chosen flavor, and its labels wrapped.
 */
function catalogText(chosen: readonly SignalDefinition[], flavor: NamingFlavor): string[] {
  const nameWidth = Math.max(...chosen.map((s) => s.name.length)) + 2;
  const out: string[] = [];
  for (const group of [...new Set(chosen.map((s) => s.group))]) {
    out.push(`── ${group} ${'─'.repeat(Math.max(0, CATALOG_WIDTH - group.length - 4))}`);
    for (const s of chosen.filter((signal) => signal.group === group)) {
      out.push(
        `${s.name.padEnd(nameWidth)}${s.kind}, ${s.unit}`,
        `  Prometheus  ${metricName(s, flavor)}`,
        ...wrapList('  labels      ', s.labels.length ? s.labels.map(labelName) : ['—'], CATALOG_WIDTH),
      );
    }
    out.push('');
  }
  const writer = flavor === 'otel' ? 'the OTel exporter' : 'prom-client';
  out.push(
    `${chosen.length} signals, Prometheus names as ${writer} writes them (--flavor ${flavor === 'otel' ? 'prometheus' : 'otel'} for the other).`,
    '`eventscope catalog --json` adds help, buckets and conventions.',
  );
  return out;
}

export function registerCatalog(program: Command): void {
  program
    .command('catalog')
    .description('print the signal catalog: every metric eventscope emits, with its names, unit and labels')
    .option('--json', 'print JSON instead of text')
    .option(
      '--flavor <naming>',
      'Prometheus names as prom-client (prometheus) or the OTel exporter (otel) writes them',
      oneOf(['prometheus', 'otel'] as const),
      'prometheus',
    )
    .option(
      '--group <group>',
      'only one group',
      oneOf(['messaging', 'event', 'runtime', 'attribution', 'health'] as const),
    )
    .action((options: { json?: boolean; flavor: NamingFlavor; group?: string }) => {
      const chosen = signalList.filter((s) => !options.group || s.group === options.group);
      if (options.json) {
        const out = chosen.map((s) => ({
          ...s,
          prometheusName: metricName(s, options.flavor),
          prometheusLabels: s.labels.map(labelName),
        }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${catalogText(chosen, options.flavor).join('\n')}\n`);
    });
}
