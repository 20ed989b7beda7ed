import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningPipeline, startPipeline } from '@eventscope/demo';
import { prometheusBinary, type RunningPrometheus, scrapeConfig, startPrometheus } from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Figure, figures } from '../src/commands/report.js';
import { runCli } from './run-cli.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const available = Boolean(prometheusBinary());

interface Row {
  figure: string;
  before: number | null;
  after: number | null;
  change: number | null;
  difference: number | null;
}

interface Coverage {
  window: string;
  service: string;
  fraction: number;
}

const floors = new Map(figures.map((f) => [f.figure, f.floor]));

describe.skipIf(!available)('eventscope report against a real Prometheus (steady, then gc-pressure)', () => {
  let prometheus: RunningPrometheus;
  let pipeline: RunningPipeline;
  let before = '';
  let after = '';
  /** When Prometheus first scraped the pipeline. */
  let scrapedFrom = 0;

  beforeAll(async () => {
    pipeline = await startPipeline({ rate: 200, logger: false });
    const target = new URL(pipeline.metricsUrl).host;
    prometheus = await startPrometheus({ config: scrapeConfig([target], { job: 'billing' }) });
    await prometheus.waitForTargets(1);
    const t0 = Math.floor(Date.now() / 1000);
    scrapedFrom = t0;
    await sleep(25_000);
    const t1 = Math.floor(Date.now() / 1000);
    pipeline.setScenario('gc-pressure');
    await sleep(25_000);
    const t2 = Math.floor(Date.now() / 1000);
    before = `${t0 + 2}..${t1}`;
    after = `${t1 + 5}..${t2}`;
    // Let the last scrape of the gc-pressure period land.
    await sleep(1500);
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await prometheus?.stop();
  });

  it('prints the table per service/destination with the expected direction of every change', async () => {
    const result = await runCli([
      'report',
      '--prometheus',
      prometheus.url,
      '--before',
      before,
      '--after',
      after,
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      partialCoverage: Coverage[];
      sections: { service: string; destination: string; rows: Row[] }[];
    };
    // Both windows lie inside the scraped time: no coverage warning.
    expect(report.partialCoverage).toEqual([]);
    expect(report.sections.map((s) => `${s.service}/${s.destination}`)).toEqual([
      'billing/orders.created',
      'billing/payments.settled',
    ]);
    const orders = new Map(report.sections[0]!.rows.map((r) => [r.figure, r]));
    for (const row of orders.values()) {
      expect(row.before, row.figure).not.toBeNull();
      expect(row.after, row.figure).not.toBeNull();
    }
    // Same offered load: throughput within 15 %, errors stay at ~0.05 % of orders (1 in 2,000).
    expect(Math.abs(orders.get('throughput')!.change!)).toBeLessThan(0.15);
    expect(orders.get('errorRatio')!.before!).toBeGreaterThan(0.0001);
    expect(orders.get('errorRatio')!.before!).toBeLessThan(0.002);
    expect(orders.get('errorRatio')!.after!).toBeLessThan(0.002);
    // A relative change only against a baseline at or above the figure's floor; the difference always.
    for (const section of report.sections) {
      for (const row of section.rows) {
        const what = `${section.destination} ${row.figure}`;
        expect(row.difference, what).toBeCloseTo(row.after! - row.before!, 12);
        if (Math.abs(row.before!) >= floors.get(row.figure as Figure)!) {
          expect(row.change, what).toBeCloseTo((row.after! - row.before!) / Math.abs(row.before!), 12);
        } else {
          expect(row.change, what).toBeNull();
        }
      }
    }
    // payments.settled never fails: a 0 baseline carries no percentage.
    const payments = new Map(report.sections[1]!.rows.map((r) => [r.figure, r]));
    expect(payments.get('errorRatio')).toMatchObject({ before: 0, after: 0, change: null, difference: 0 });
    // The incident: more GC, longer pauses, more memory, slower tail.
    for (const figure of ['latencyP99', 'gcPauseP99', 'heapUsed', 'rss']) {
      expect(orders.get(figure)!.change!, figure).toBeGreaterThan(0.1);
    }
    // Process CPU per service, user and system, in cores: real, and within the machine's cores.
    for (const figure of ['cpuUser', 'cpuSystem']) {
      for (const side of ['before', 'after'] as const) {
        expect(orders.get(figure)![side]!, `${figure} ${side}`).toBeGreaterThan(0.001);
        expect(orders.get(figure)![side]!, `${figure} ${side}`).toBeLessThanOrEqual(availableParallelism());
      }
    }
    expect(orders.get('cpuUser')!.after!).toBeGreaterThan(orders.get('cpuSystem')!.after!);
    // Time in GC grows several-fold, or — from a baseline under 0.1 % — by more than a point.
    const gc = orders.get('gcTimeShare')!;
    if (gc.change === null) expect(gc.difference!).toBeGreaterThan(0.01);
    else expect(gc.change).toBeGreaterThan(1);
  });

  it('warns when a window is only partly covered by data, saying how much', async () => {
    // The before window starts 30 s before Prometheus first scraped the pipeline.
    const partly = `${scrapedFrom - 30}..${scrapedFrom + 10}`;
    const json = await runCli([
      'report',
      '--prometheus',
      prometheus.url,
      '--before',
      partly,
      '--after',
      after,
      '--json',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const { partialCoverage } = JSON.parse(json.stdout) as { partialCoverage: Coverage[] };
    expect(partialCoverage).toHaveLength(1);
    expect(partialCoverage[0]).toMatchObject({ window: 'before', service: 'billing' });
    // About 10 of 40 seconds; a scrape interval of slack either way.
    expect(partialCoverage[0]!.fraction).toBeGreaterThan(0.15);
    expect(partialCoverage[0]!.fraction).toBeLessThan(0.4);
    const text = await runCli([
      'report',
      '--prometheus',
      prometheus.url,
      '--before',
      partly,
      '--after',
      after,
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^warning: billing has data for only \d+ % of the before window \(.+ to .+\); its before figures describe that part$/m,
    );
    expect(text.stdout).not.toMatch(/of the after window/);
  });

  it("reads the config's selectors and service label, as the dashboards and alerts do", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventscope-report-'));
    try {
      const run = async (config: object) => {
        writeFileSync(join(dir, 'eventscope.config.json'), JSON.stringify(config));
        const result = await runCli(
          ['report', '--prometheus', prometheus.url, '--before', before, '--after', after, '--json'],
          { cwd: dir },
        );
        expect(result.code, result.stderr).toBe(0);
        return (JSON.parse(result.stdout) as { sections: { service: string }[] }).sections.map(
          (s) => s.service,
        );
      };
      expect(await run({ selectors: { job: '=~"bill.*"' } })).toEqual(['billing', 'billing']);
      expect(await run({ selectors: { job: 'shipping' } })).toEqual([]);
      // Another service label: the report groups by it (instance here), per destination.
      expect(await run({ serviceLabel: 'instance' })).toEqual([
        new URL(pipeline.metricsUrl).host,
        new URL(pipeline.metricsUrl).host,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints readable text and markdown tables', async () => {
    const text = await runCli([
      'report',
      '--prometheus',
      prometheus.url,
      '--before',
      before,
      '--after',
      after,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('billing / orders.created');
    expect(text.stdout).toMatch(/time in GC\s+[\d.]+ %\s+[\d.]+ %\s+(\+[\d.]+ (%|pp)|×[\d.]+)/);
    // A zero baseline: the change is an absolute difference, and a footnote says why.
    const payments = text.stdout.slice(text.stdout.indexOf('billing / payments.settled'));
    expect(payments).toMatch(/error ratio\s+0\.00 %\s+0\.00 %\s+±0\.00 pp/);
    expect(text.stdout).toMatch(
      /Changes without % or × are absolute differences[\s\S]*\(.*error ratio 0\.1 %\)/,
    );
    expect(text.stdout).not.toMatch(/warning:/);
    const markdown = await runCli([
      'report',
      '--prometheus',
      prometheus.url,
      '--before',
      before,
      '--after',
      after,
      '--markdown',
    ]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('### billing / payments.settled');
    expect(markdown.stdout).toContain('| --- | ---: | ---: | ---: |');
  });
});

describe.skipIf(!available)('eventscope preview against the same kind of Prometheus', () => {
  it('draws the overview with real data into one self-contained HTML file', async () => {
    const pipeline = await startPipeline({ rate: 200, logger: false });
    const prometheus = await startPrometheus({
      config: scrapeConfig([new URL(pipeline.metricsUrl).host], { job: 'billing' }),
    });
    const dir = mkdtempSync(join(tmpdir(), 'eventscope-preview-'));
    try {
      await prometheus.waitForTargets(1);
      await sleep(8000);
      const out = join(dir, 'preview.html');
      const result = await runCli([
        'preview',
        '--prometheus',
        prometheus.url,
        '--dashboard',
        'overview',
        '--last',
        '2m',
        '--out',
        out,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const html = readFileSync(out, 'utf8');
      const total = Number(/data-panels-total="(\d+)"/.exec(html)?.[1]);
      const drawn = Number(/data-panels-drawn="(\d+)"/.exec(html)?.[1]);
      expect(total).toBeGreaterThan(10);
      // Panels for alerts and SLOs have no data in an 8-second-old Prometheus; the core ones must.
      expect(drawn).toBeGreaterThan(total / 2);
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
      expect(result.stdout).toContain(`${drawn} of ${total} panels have data`);
    } finally {
      await pipeline.stop();
      await prometheus.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('eventscope preview, bad input', () => {
  it('exits 3 when Prometheus is unreachable and 2 on an unknown dashboard', async () => {
    const unreachable = await runCli(['preview', '--prometheus', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:1/);
    const unknown = await runCli(['preview', '--prometheus', 'http://127.0.0.1:1', '--dashboard', 'kitchen']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/use one of: overview/);
  });
});

describe('eventscope report, bad input', () => {
  it('exits 3 when Prometheus is unreachable, saying where it looked', async () => {
    const result = await runCli([
      'report',
      '--prometheus',
      'http://127.0.0.1:1',
      '--before',
      'now-2h..now-1h',
      '--after',
      'now-1h..now',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:1/);
  });

  it('exits 2 on a malformed range, a bad URL or a missing option', async () => {
    const range = await runCli([
      'report',
      '--prometheus',
      'http://127.0.0.1:1',
      '--before',
      'yesterday',
      '--after',
      'now-1h..now',
    ]);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--before must be START\.\.END/);
    const backwards = await runCli([
      'report',
      '--prometheus',
      'http://127.0.0.1:1',
      '--before',
      'now..now-1h',
      '--after',
      'now-1h..now',
    ]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/the end must come after the start/);
    const url = await runCli([
      'report',
      '--prometheus',
      'localhost',
      '--before',
      'now-2h..now-1h',
      '--after',
      'now-1h..now',
    ]);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--prometheus must be an http\(s\) URL/);
    const missing = await runCli(['report', '--before', 'now-2h..now-1h']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--prometheus <url>' not specified/);
  });
});
