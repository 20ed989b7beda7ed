import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from '@eventscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'eventscope-cli-'));
const fiveMistakes = join(import.meta.dirname, '../../config/test/fixtures/five-mistakes.yaml');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('eventscope generate', () => {
  it('writes dashboards, rules, alertmanager.yml, runbooks, tests and a scrape config from a YAML config', async () => {
    writeFileSync(
      join(work, 'eventscope.config.yaml'),
      [
        'flavor: otel',
        'selectors:',
        '  namespace: shop',
        'prometheus:',
        '  targets: ["127.0.0.1:9999"]',
        '',
      ].join('\n'),
    );
    const result = await runCli(['generate', '--out', 'out'], { cwd: work });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('config ');
    for (const file of [
      'out/grafana/dashboards/eventscope-overview.json',
      'out/grafana/provisioning/dashboards/eventscope.yaml',
      'out/alerts/rules/eventscope-runtime.rules.yml',
      'out/alerts/prometheus-rule.yaml',
      'out/alerts/alertmanager.yml',
      'out/alerts/runbooks/EventscopeLatencyRegression.md',
      'out/prometheus/prometheus.yml',
    ]) {
      expect(result.stdout).toContain(`wrote ${file}`);
    }
    const overview = readFileSync(join(work, 'out/grafana/dashboards/eventscope-overview.json'), 'utf8');
    expect(overview).toContain('messaging_process_duration_bucket'); // otel naming: no _seconds
    expect(overview).toContain('namespace=\\"shop\\"');
    const scrape = readFileSync(join(work, 'out/prometheus/prometheus.yml'), 'utf8');
    expect(scrape).toContain('127.0.0.1:9999');
    expect(scrape).toContain('../alerts/rules/*.rules.yml');
  });

  it('reads a TypeScript config', async () => {
    const dir = mkdtempSync(join(work, 'ts-'));
    writeFileSync(
      join(dir, 'eventscope.config.ts'),
      "import type { EventscopeConfig } from '@eventscope/config';\nconst config: EventscopeConfig = { profile: 'test' };\nexport default config;\n",
    );
    const result = await runCli(['generate', '--config', 'eventscope.config.ts', '--out', 'gen'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'gen/alerts/rules/eventscope-regressions.rules.yml'), 'utf8')).toContain(
      'offset 1m',
    );
  });

  it('exits 2 on a missing, unparsable or invalid config, writing nothing', async () => {
    const missing = await runCli(['generate', '--config', 'nope.json', '--out', 'x'], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/config file nope\.json not found/);

    writeFileSync(join(work, 'broken.json'), '{ "flavor": "otel", ');
    const broken = await runCli(['generate', '--config', 'broken.json', '--out', 'x'], { cwd: work });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/cannot read .*broken\.json/);

    writeFileSync(join(work, 'unknown.json'), '{ "dashbaords": {} }');
    const unknown = await runCli(['generate', '--config', 'unknown.json', '--out', 'x'], { cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/dashbaords: unknown key; did you mean "dashboards"\?/);

    writeFileSync(join(work, 'invalid.json'), '{ "slos": [{ "kind": "errors", "objective": 2 }] }');
    const invalid = await runCli(['generate', '--config', 'invalid.json', '--out', 'x'], { cwd: work });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /invalid configuration in .*invalid\.json[\s\S]*slos\[0\]\.objective: 2 is outside/,
    );
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  it('reports five mistakes across sections in one run, exit 2, nothing written', async () => {
    const dir = mkdtempSync(join(work, 'five-'));
    writeFileSync(join(dir, 'eventscope.config.yaml'), readFileSync(fiveMistakes, 'utf8'));
    const result = await runCli(['generate', '--out', 'gen'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(5 errors)');
    for (const path of [
      'flavour',
      'slos[0].objective',
      'thresholds.eventLoopDelaySeconds',
      'dashboards.refresh',
      'prometheus.job',
    ]) {
      expect(result.stderr).toContain(`  - ${path}: `);
    }
    expect(readdirSync(dir)).toEqual(['eventscope.config.yaml']);
  });

  it('writes atomically: a failure keeps the previous output whole and leaves no temporary folder', async () => {
    const dir = mkdtempSync(join(work, 'atomic-'));
    expect((await runCli(['generate', '--out', 'gen'], { cwd: dir })).code).toBe(0);
    const before = readFileSync(join(dir, 'gen/alerts/alertmanager.yml'), 'utf8');
    writeFileSync(join(dir, 'bad.json'), '{ "selectors": { "namespace": "=~unquoted" } }');
    const result = await runCli(['generate', '--config', 'bad.json', '--out', 'gen'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(readFileSync(join(dir, 'gen/alerts/alertmanager.yml'), 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'gen']);
    // A folder that cannot be written: exit 3, nothing half-written beside it.
    const locked = join(dir, 'locked');
    writeFileSync(locked, 'a file where the output folder would go');
    const blocked = await runCli(['generate', '--out', join(locked, 'gen')], { cwd: dir });
    expect(blocked.code).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'gen', 'locked']);
  });

  it("accepts the CLI README's sample config, and check passes on its output", async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const sample = /## Config[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(sample, 'a yaml block under "## Config" in the README').toBeDefined();
    const dir = mkdtempSync(join(work, 'readme-'));
    writeFileSync(join(dir, 'eventscope.config.yaml'), sample!);
    const generated = await runCli(['generate', '--out', 'gen'], { cwd: dir });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const checked = await runCli(['check', 'gen', '--json'], { cwd: dir });
    const verdicts = JSON.parse(checked.stdout) as { status: string; what: string; detail?: string }[];
    expect(verdicts.filter((v) => v.status === 'fail')).toEqual([]);
    expect(verdicts.filter((v) => v.what.startsWith('promtool test rules')).map((v) => v.status)).toContain(
      findBinary('promtool') ? 'pass' : 'skip',
    );
    expect(checked.code).toBe(0);
  });
});

describe('eventscope check', () => {
  const promtool = findBinary('promtool');

  it('passes a freshly generated folder, running promtool and amtool where installed', async () => {
    const dir = mkdtempSync(join(work, 'check-'));
    expect((await runCli(['generate', '--profile', 'test', '--out', 'gen'], { cwd: dir })).code).toBe(0);
    const result = await runCli(['check', 'gen', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const verdicts = JSON.parse(result.stdout) as { status: string; what: string }[];
    expect(verdicts.filter((v) => v.status === 'fail')).toEqual([]);
    expect(verdicts.some((v) => v.what.startsWith('schema grafana/dashboards/'))).toBe(true);
    const toolRan = verdicts.find((v) => v.what === 'promtool check rules');
    expect(toolRan?.status).toBe(promtool ? 'pass' : 'skip');
  });

  it('exits 1 and names the problem when an artifact is broken', async () => {
    const dir = mkdtempSync(join(work, 'broken-'));
    expect((await runCli(['generate', '--profile', 'test', '--out', 'gen'], { cwd: dir })).code).toBe(0);
    const rules = join(dir, 'gen/alerts/rules/eventscope-runtime.rules.yml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace(/runbook_url: .*/, 'owner: nobody'));
    const dashboard = join(dir, 'gen/grafana/dashboards/eventscope-runtime.json');
    writeFileSync(dashboard, '{ "title": "half a dash');
    const result = await runCli(['check', 'gen'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ schema alerts\/rules\/eventscope-runtime\.rules\.yml\n\s+.*no runbook_url/,
    );
    expect(result.stdout).toMatch(
      /✗ schema grafana\/dashboards\/eventscope-runtime\.json\n\s+does not parse/,
    );
    expect(result.stderr).toMatch(/check: \d+ passed, [1-9]\d* failed/);
  });

  it('exits 2 for a folder that does not exist or holds no artifacts', async () => {
    const missing = await runCli(['check', join(work, 'no-such-dir')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/is not a folder; run `eventscope generate/);
    const empty = await runCli(['check', mkdtempSync(join(work, 'empty-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/holds no eventscope artifacts/);
  });
});
