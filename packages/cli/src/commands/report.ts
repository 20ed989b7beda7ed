import type { NamingFlavor } from '@eventscope/catalog';
import type { ResolvedConfig } from '@eventscope/config';
import type { PrometheusClient } from '@eventscope/config/prometheus-client';
import {
  errorRatio,
  gcTimeShare,
  label,
  percentile,
  Queries,
  sum,
  throughput,
} from '@eventscope/config/promql';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { oneOf } from '../options.js';
import { prometheusClient } from '../prometheus-client.js';
import { parseTimeRange, promDuration, type TimeRange } from '../time-range.js';
import { formatBytes, formatChange, formatPercent, formatRate, formatSeconds } from '../view/format.js';
import { markdownTable, textTable } from '../view/table.js';
/**
 * `report`: what changed between two periods, per service and destination — the table a team
 * shows after a redesign ("latency −30 %, memory −25 %"). Each figure is one PromQL query
 * evaluated at the end of its period over the whole period.
 */

export type Figure =
  | 'throughput'
  | 'latencyP50'
  | 'latencyP99'
  | 'eventAgeP99'
  | 'errorRatio'
  | 'gcTimeShare'
  | 'gcPauseP99'
  | 'heapUsed'
  | 'rss';

interface FigureSpec {
  figure: Figure;
  title: string;
  /** Per destination, or per service (runtime figures, shared by the service's destinations). */
  scope: 'destination' | 'service';
  format: (value: number) => string;
  /** The figure over `window`, keeping `by` (the service label, and the destination when per destination). */
  query: (q: Queries, by: readonly string[], window: string) => string;
}

const averageOf = (q: Queries, signal: 'heapUsed' | 'memoryRss', by: readonly string[], window: string) =>
  sum(by, q.overTime('avg_over_time', signal, 'value', window));

export const figures: readonly FigureSpec[] = [
  {
    figure: 'throughput',
    title: 'throughput (events/s)',
    scope: 'destination',
    format: formatRate,
    query: throughput,
  },
  {
    figure: 'latencyP50',
    title: 'latency p50',
    scope: 'destination',
    format: formatSeconds,
    query: (q, by, w) => percentile(q, 0.5, 'processDuration', by, w),
  },
  {
    figure: 'latencyP99',
    title: 'latency p99',
    scope: 'destination',
    format: formatSeconds,
    query: (q, by, w) => percentile(q, 0.99, 'processDuration', by, w),
  },
  {
    figure: 'eventAgeP99',
    title: 'event age p99',
    scope: 'destination',
    format: formatSeconds,
    query: (q, by, w) => percentile(q, 0.99, 'eventAge', by, w),
  },
  {
    figure: 'errorRatio',
    title: 'error ratio',
    scope: 'destination',
    format: (v) => formatPercent(v, 2),
    query: errorRatio,
  },
  {
    figure: 'gcTimeShare',
    title: 'time in GC',
    scope: 'service',
    format: (v) => formatPercent(v),
    query: gcTimeShare,
  },
  {
    figure: 'gcPauseP99',
    title: 'GC pause p99',
    scope: 'service',
    format: formatSeconds,
    query: (q, by, w) => percentile(q, 0.99, 'gcDuration', by, w),
  },
  {
    figure: 'heapUsed',
    title: 'heap used (avg)',
    scope: 'service',
    format: formatBytes,
    query: (q, by, w) => averageOf(q, 'heapUsed', by, w),
  },
  {
    figure: 'rss',
    title: 'RSS (avg)',
    scope: 'service',
    format: formatBytes,
    query: (q, by, w) => averageOf(q, 'memoryRss', by, w),
  },
];

export interface ReportRow {
  figure: Figure;
  title: string;
  before: number | null;
  after: number | null;
  /** (after − before) / before; null when either side is missing or before is 0. */
  change: number | null;
}

export interface ReportSection {
  service: string;
  destination: string;
  rows: ReportRow[];
}

export interface Report {
  prometheus: string;
  before: TimeRange;
  after: TimeRange;
  sections: ReportSection[];
}

type Values = Map<string, number>;
const key = (service: string, destination = '') => `${service}\u0000${destination}`;

async function figureValues(
  client: PrometheusClient,
  spec: FigureSpec,
  q: Queries,
  range: TimeRange,
): Promise<Values> {
  const by = spec.scope === 'destination' ? [q.service, label.destination] : [q.service];
  const samples = await client.query(spec.query(q, by, promDuration(range.end - range.start)), range.end);
  const values: Values = new Map();
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const service = s.metric[q.service] ?? '';
    values.set(
      spec.scope === 'destination' ? key(service, s.metric[label.destination] ?? '') : key(service),
      s.value,
    );
  }
  return values;
}

export async function buildReport(options: {
  prometheus: string;
  before: TimeRange;
  after: TimeRange;
  config: ResolvedConfig;
}): Promise<Report> {
  const client = prometheusClient(options.prometheus);
  const q = new Queries(options.config);
  const results = await Promise.all(
    figures.map(async (spec) => ({
      spec,
      before: await figureValues(client, spec, q, options.before),
      after: await figureValues(client, spec, q, options.after),
    })),
  );
  // The service/destination pairs: every pair that had traffic in either period.
  const throughputs = results.find((r) => r.spec.figure === 'throughput')!;
  const pairs = [...new Set([...throughputs.before.keys(), ...throughputs.after.keys()])].sort();
  const sections = pairs.map((pair): ReportSection => {
    const [service = '', destination = ''] = pair.split('\u0000');
    const rows = results.map(({ spec, before, after }): ReportRow => {
      const k = spec.scope === 'destination' ? pair : key(service);
      const b = before.get(k) ?? null;
      const a = after.get(k) ?? null;
      return {
        figure: spec.figure,
        title: spec.title,
        before: b,
        after: a,
        change: a !== null && b !== null && b !== 0 ? (a - b) / Math.abs(b) : null,
      };
    });
    return { service, destination, rows };
  });
  return { prometheus: client.url, before: options.before, after: options.after, sections };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000', '');

export function renderReport(report: Report, style: 'text' | 'markdown'): string {
  const specs = new Map(figures.map((f) => [f.figure, f]));
  const headers = ['', 'before', 'after', 'change'];
  const align = ['left', 'right', 'right', 'right'] as const;
  const out = [
    `${style === 'markdown' ? '## ' : ''}eventscope report — ${report.prometheus}`,
    '',
    `before: ${iso(report.before.start)} .. ${iso(report.before.end)}`,
    `after:  ${iso(report.after.start)} .. ${iso(report.after.end)}`,
  ];
  if (report.sections.length === 0) {
    out.push(
      '',
      'No eventscope events in either period: is Prometheus scraping instrumented services, and are the ranges right?',
    );
  }
  for (const section of report.sections) {
    const rows = section.rows.map((row) => {
      const format = specs.get(row.figure)!.format;
      return [
        row.title,
        row.before === null ? '–' : format(row.before),
        row.after === null ? '–' : format(row.after),
        row.before === null || row.after === null ? '–' : formatChange(row.before, row.after),
      ];
    });
    out.push('', `${style === 'markdown' ? '### ' : ''}${section.service} / ${section.destination}`, '');
    out.push(
      style === 'markdown' ? markdownTable(headers, rows, [...align]) : textTable(headers, rows, [...align]),
    );
  }
  return `${out.join('\n')}\n`;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'compare two periods in Prometheus: a before/after table per service and destination, with % change',
    )
    .requiredOption('--prometheus <url>', 'the Prometheus server, e.g. http://127.0.0.1:9090')
    .requiredOption(
      '--before <range>',
      'START..END, e.g. now-2h..now-1h, 2026-11-20T10:00Z..2026-11-20T11:00Z or unix seconds',
    )
    .requiredOption('--after <range>', 'START..END, e.g. now-1h..now')
    .option(
      '--config <file>',
      'eventscope.config.(json|yaml|ts): flavor, selectors, service label; default: the first found in this folder',
    )
    .option(
      '--flavor <naming>',
      'override the config: metric naming the services expose',
      oneOf(['prometheus', 'otel'] as const),
    )
    .option('--service-label <label>', 'override the config: the label that names a service (default job)')
    .option('--json', 'print JSON')
    .option('--markdown', 'print markdown tables')
    .action(
      async (options: {
        prometheus: string;
        before: string;
        after: string;
        config?: string;
        flavor?: NamingFlavor;
        serviceLabel?: string;
        json?: boolean;
        markdown?: boolean;
      }) => {
        const report = await buildReport({
          prometheus: options.prometheus,
          before: parseTimeRange(options.before, '--before'),
          after: parseTimeRange(options.after, '--after'),
          config: (
            await loadConfig(options.config, { flavor: options.flavor, serviceLabel: options.serviceLabel })
          ).config,
        });
        if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(renderReport(report, options.markdown ? 'markdown' : 'text'));
      },
    );
}
