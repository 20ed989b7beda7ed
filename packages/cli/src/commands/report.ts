import type { NamingFlavor } from '@eventscope/catalog';
import type { ResolvedConfig } from '@eventscope/config';
import type { PrometheusClient } from '@eventscope/config/prometheus-client';
import {
  by as byLabels,
  cpuCores,
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
import {
  formatBytes,
  formatChange,
  formatCores,
  formatDifference,
  formatFactor,
  formatPercent,
  formatPoints,
  formatRate,
  formatSeconds,
} from '../view/format.js';
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
  | 'rss'
  | 'cpuUser'
  | 'cpuSystem';

interface FigureSpec {
  figure: Figure;
  title: string;
  /** Per destination, or per service (runtime figures, shared by the service's destinations). */
  scope: 'destination' | 'service';
  format: (value: number) => string;
  /**
   * The smallest baseline a relative change is computed against. Below it a percentage says
   * nothing ("time in GC +13448 %" from 0.0005 %), so the change is the absolute difference.
   */
  floor: number;
  /** The floor as the README and the footnote say it. */
  floorText: string;
  /** An absolute difference (unsigned) in the figure's unit. */
  difference: (magnitude: number) => string;
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
    floor: 1,
    floorText: '1 event/s',
    difference: (v) => `${formatRate(v)} /s`,
    query: throughput,
  },
  {
    figure: 'latencyP50',
    title: 'latency p50',
    scope: 'destination',
    format: formatSeconds,
    floor: 1e-6,
    floorText: '1 µs',
    difference: formatSeconds,
    query: (q, by, w) => percentile(q, 0.5, 'processDuration', by, w),
  },
  {
    figure: 'latencyP99',
    title: 'latency p99',
    scope: 'destination',
    format: formatSeconds,
    floor: 1e-6,
    floorText: '1 µs',
    difference: formatSeconds,
    query: (q, by, w) => percentile(q, 0.99, 'processDuration', by, w),
  },
  {
    figure: 'eventAgeP99',
    title: 'event age p99',
    scope: 'destination',
    format: formatSeconds,
    floor: 1e-6,
    floorText: '1 µs',
    difference: formatSeconds,
    query: (q, by, w) => percentile(q, 0.99, 'eventAge', by, w),
  },
  {
    figure: 'errorRatio',
    title: 'error ratio',
    scope: 'destination',
    format: (v) => formatPercent(v, 2),
    floor: 0.001,
    floorText: '0.1 %',
    difference: (v) => formatPoints(v),
    query: errorRatio,
  },
  {
    figure: 'gcTimeShare',
    title: 'time in GC',
    scope: 'service',
    format: (v) => formatPercent(v, 2),
    floor: 0.001,
    floorText: '0.1 %',
    difference: (v) => formatPoints(v),
    query: gcTimeShare,
  },
  {
    figure: 'gcPauseP99',
    title: 'GC pause p99',
    scope: 'service',
    format: formatSeconds,
    floor: 1e-6,
    floorText: '1 µs',
    difference: formatSeconds,
    query: (q, by, w) => percentile(q, 0.99, 'gcDuration', by, w),
  },
  {
    figure: 'heapUsed',
    title: 'heap used (avg)',
    scope: 'service',
    format: formatBytes,
    floor: 2 ** 20,
    floorText: '1 MiB',
    difference: formatBytes,
    query: (q, by, w) => averageOf(q, 'heapUsed', by, w),
  },
  {
    figure: 'rss',
    title: 'RSS (avg)',
    scope: 'service',
    format: formatBytes,
    floor: 2 ** 20,
    floorText: '1 MiB',
    difference: formatBytes,
    query: (q, by, w) => averageOf(q, 'memoryRss', by, w),
  },
  ...(['user', 'system'] as const).map(
    (mode): FigureSpec => ({
      figure: mode === 'user' ? 'cpuUser' : 'cpuSystem',
      title: `CPU ${mode} (cores)`,
      scope: 'service',
      format: formatCores,
      floor: 0.001,
      floorText: '0.001 cores',
      difference: formatCores,
      query: (q, by, w) => cpuCores(q, by, w, mode),
    }),
  ),
];

export interface ReportRow {
  figure: Figure;
  title: string;
  before: number | null;
  after: number | null;
  /**
   * (after − before) / |before|; null when either side is missing or |before| is below the
   * figure's floor, where a percentage would mislead.
   */
  change: number | null;
  /** after − before, in the figure's unit; null when either side is missing. */
  difference: number | null;
}

/** How much of a window a service's data covers (its first to last sample, within the window). */
export interface Coverage {
  window: 'before' | 'after';
  service: string;
  /** Unix seconds of the first and last sample seen in the window. */
  first: number;
  last: number;
  /** Covered share of the window, 0 to 1. */
  fraction: number;
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
  /** Services whose data covers only part of a window (under 99 %); empty when all cover both. */
  partialCoverage: Coverage[];
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

/** Windows are judged covered from this share on. */
const FULL_COVERAGE = 0.99;

/**
 * How much of a window each service's data covers: its first and last sample of processed events
 * in the window and its sample count, from which the scrape interval follows. A sample interval
 * of slack is allowed at either edge, so a fully scraped window counts as 100 %.
 */
async function windowCoverage(
  client: PrometheusClient,
  q: Queries,
  range: TimeRange,
  window: Coverage['window'],
): Promise<Coverage[]> {
  const span = range.end - range.start;
  const selector = q.select('processDuration', 'count');
  const subquery = `[${promDuration(span)}:${promDuration(span / 200)}]`;
  const by = [q.service];
  const [firsts, lasts, counts] = await Promise.all([
    client.query(`min ${byLabels(by)} (min_over_time(timestamp(${selector})${subquery}))`, range.end),
    client.query(`max ${byLabels(by)} (max_over_time(timestamp(${selector})${subquery}))`, range.end),
    client.query(`max ${byLabels(by)} (count_over_time(${selector}[${promDuration(span)}]))`, range.end),
  ]);
  const at = (samples: typeof firsts) => new Map(samples.map((s) => [s.metric[q.service] ?? '', s.value]));
  const last = at(lasts);
  const count = at(counts);
  return [...at(firsts)].map(([service, first]): Coverage => {
    const end = last.get(service) ?? first;
    const samples = count.get(service) ?? 1;
    const interval = samples > 1 ? (end - first) / (samples - 1) : 0;
    const from = Math.max(range.start, first - interval);
    const to = Math.min(range.end, end + interval);
    return { window, service, first, last: end, fraction: Math.max(0, Math.min(1, (to - from) / span)) };
  });
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
  const coverage = (
    await Promise.all([
      windowCoverage(client, q, options.before, 'before'),
      windowCoverage(client, q, options.after, 'after'),
    ])
  ).flat();
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
        change: a !== null && b !== null && Math.abs(b) >= spec.floor ? (a - b) / Math.abs(b) : null,
        difference: a !== null && b !== null ? a - b : null,
      };
    });
    return { service, destination, rows };
  });
  return {
    prometheus: client.url,
    before: options.before,
    after: options.after,
    partialCoverage: coverage.filter((c) => c.fraction < FULL_COVERAGE),
    sections,
  };
}

const iso = (seconds: number) => new Date(Math.round(seconds) * 1000).toISOString().replace('.000', '');

/** From this many times the baseline on, a change is shown as a factor (×19.4) rather than a percentage. */
const FACTOR_FROM = 10;

/** The change column: a percentage, or the absolute difference where the baseline is below the floor. */
function changeText(spec: FigureSpec, row: ReportRow): { text: string; absolute: boolean } {
  if (row.before === null || row.after === null || row.difference === null)
    return { text: '–', absolute: false };
  if (row.change === null) return { text: formatDifference(row.difference, spec.difference), absolute: true };
  // "+40805 %" reads worse than what it says: ten times or more is a factor.
  if (row.change >= FACTOR_FROM - 1) return { text: formatFactor(row.change + 1), absolute: false };
  return { text: formatChange(row.before, row.after), absolute: false };
}

/** "billing has data for 46 % of the before window (10:02:13Z to 10:30:00Z)". */
function coverageWarning(coverage: Coverage, range: TimeRange): string {
  const from = iso(Math.max(coverage.first, range.start));
  const to = iso(Math.min(coverage.last, range.end));
  return `warning: ${coverage.service || 'a service'} has data for only ${Math.floor(coverage.fraction * 100)} % of the ${coverage.window} window (${from} to ${to}); its ${coverage.window} figures describe that part`;
}

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
  for (const coverage of report.partialCoverage) {
    const warning = coverageWarning(coverage, coverage.window === 'before' ? report.before : report.after);
    out.push(style === 'markdown' ? `\n> ${warning}` : warning);
  }
  if (report.sections.length === 0) {
    out.push(
      '',
      'No eventscope events in either period: is Prometheus scraping instrumented services, and are the ranges right?',
    );
  }
  const absolute = new Set<FigureSpec>();
  for (const section of report.sections) {
    const rows = section.rows.map((row) => {
      const spec = specs.get(row.figure)!;
      const change = changeText(spec, row);
      if (change.absolute) absolute.add(spec);
      return [
        row.title,
        row.before === null ? '–' : spec.format(row.before),
        row.after === null ? '–' : spec.format(row.after),
        change.text,
      ];
    });
    out.push('', `${style === 'markdown' ? '### ' : ''}${section.service} / ${section.destination}`, '');
    out.push(
      style === 'markdown' ? markdownTable(headers, rows, [...align]) : textTable(headers, rows, [...align]),
    );
  }
  if (absolute.size) {
    const floors = [...absolute].map((spec) => `${spec.title} ${spec.floorText}`).join(', ');
    out.push(
      '',
      'Changes without % or × are absolute differences (pp: percentage points): their baseline is',
      `below the floor a percentage needs (${floors}).`,
    );
  }
  return `${out.join('\n')}\n`;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'compare two periods in Prometheus: a before/after table per service and destination, with the change',
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
