import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NamingFlavor } from '@eventscope/catalog';
import { type DashboardKind, dashboardKinds, renderPreview } from '@eventscope/dashboards';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { oneOf, parseDuration } from '../options.js';
import { prometheusClient } from '../prometheus-client.js';

/**
 * `preview`: the generated dashboards drawn with real data from a Prometheus, into one
 * self-contained HTML file — for people without Grafana at hand.
 */
export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description(
      'draw the generated dashboards with real data from a Prometheus into one self-contained HTML file',
    )
    .requiredOption('--prometheus <url>', 'the Prometheus to query, e.g. http://127.0.0.1:9090')
    .option('--out <file>', 'the HTML file to write', 'eventscope-preview.html')
    .option('--last <duration>', 'how much history to draw (e.g. 15m, 2h)', parseDuration, 900)
    .option(
      '--dashboard <kind>',
      'draw only one dashboard',
      oneOf(dashboardKinds as readonly DashboardKind[]),
    )
    .option(
      '--config <file>',
      'eventscope.config.(json|yaml|ts) the dashboards are generated from; default: the first found in this folder',
    )
    .option(
      '--flavor <naming>',
      'override the config: metric naming the dashboards query, prometheus (prom-client) or otel (OTel exporter)',
      oneOf(['prometheus', 'otel'] as const),
    )
    .action(
      async (options: {
        prometheus: string;
        out: string;
        last: number;
        dashboard?: DashboardKind;
        config?: string;
        flavor?: NamingFlavor;
      }) => {
        const { config } = await loadConfig(options.config, { flavor: options.flavor });
        const client = prometheusClient(options.prometheus);
        const end = Math.floor(Date.now() / 1000);
        // Fails with a clear message (exit 3) before any drawing when Prometheus is unreachable.
        await client.query('vector(1)', end);
        const html = await renderPreview({
          prometheusUrl: client.url,
          config,
          range: { start: end - options.last, end },
          ...(options.dashboard ? { dashboards: [options.dashboard] } : {}),
        });
        const out = resolve(options.out);
        writeFileSync(out, html);
        const total = /data-panels-total="(\d+)"/.exec(html)?.[1] ?? '?';
        const drawn = /data-panels-drawn="(\d+)"/.exec(html)?.[1] ?? '?';
        process.stdout.write(`wrote ${out}: ${drawn} of ${total} panels have data\n`);
      },
    );
}
