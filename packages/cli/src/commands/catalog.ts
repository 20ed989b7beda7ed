import { labelName, metricName, type NamingFlavor, signalList } from '@eventscope/catalog';
import type { Command } from 'commander';
import { oneOf } from '../options.js';
import { textTable } from '../view/table.js';

export function registerCatalog(program: Command): void {
  program
    .command('catalog')
    .description('print the signal catalog: every metric eventscope emits, with its names, unit and labels')
    .option('--json', 'print JSON instead of a table')
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
      const rows = chosen.map((s) => [
        s.name,
        metricName(s, options.flavor),
        s.kind,
        s.unit,
        s.labels.map(labelName).join(', ') || '—',
      ]);
      process.stdout.write(
        `${textTable(['signal (OpenTelemetry)', `Prometheus (${options.flavor})`, 'kind', 'unit', 'labels'], rows)}\n`,
      );
      process.stdout.write(
        `\n${chosen.length} signals. \`eventscope catalog --json\` adds help, buckets and conventions.\n`,
      );
    });
}
