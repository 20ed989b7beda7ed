import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ProblemFound, UsageError } from '../errors.js';
import { findTool, installHints, runTool, type Tool } from '../tools.js';
import { layout } from './generate.js';

/** One verdict of `check`. */
export interface CheckResult {
  status: 'pass' | 'fail' | 'skip';
  what: string;
  detail?: string;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'validate generated artifacts: schema checks always; promtool and amtool (rules, rule tests, configs, routes) where installed',
    )
    .argument('[dir]', 'the folder `eventscope generate` wrote', 'eventscope')
    .option('--json', 'print the verdicts as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const results = await checkArtifacts(dir);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      } else {
        const mark = { pass: '✓', fail: '✗', skip: '–' } as const;
        for (const r of results) {
          process.stdout.write(
            `${mark[r.status]} ${r.what}${r.detail && r.status !== 'pass' ? `\n    ${r.detail.replace(/\n/g, '\n    ')}` : ''}\n`,
          );
        }
      }
      const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
      const summary = `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
      if (count('fail') > 0) throw new ProblemFound(`check: ${summary}`);
      process.stderr.write(`check: ${summary}\n`);
    });
}

function filesUnder(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, suffix));
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out.sort();
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems in one Grafana dashboard: the fields Grafana needs and a PromQL expression on every target. */
export function dashboardProblems(dashboard: unknown): string[] {
  if (!isObject(dashboard)) return ['not a JSON object'];
  const problems: string[] = [];
  if (typeof dashboard.uid !== 'string' || !dashboard.uid) problems.push('missing uid');
  if (typeof dashboard.title !== 'string' || !dashboard.title) problems.push('missing title');
  if (typeof dashboard.schemaVersion !== 'number') problems.push('missing schemaVersion');
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) problems.push('no panels');
  const visit = (panels: unknown[], path: string) => {
    for (const [i, panel] of panels.entries()) {
      if (!isObject(panel)) {
        problems.push(`${path}[${i}] is not an object`);
        continue;
      }
      const where = `panel "${String(panel.title ?? i)}"`;
      if (typeof panel.type !== 'string') problems.push(`${where}: missing type`);
      if (Array.isArray(panel.panels)) visit(panel.panels, `${path}[${i}].panels`);
      if (panel.type === 'row' || panel.type === 'text') continue;
      if (!Array.isArray(panel.targets) || panel.targets.length === 0) {
        problems.push(`${where}: no queries`);
        continue;
      }
      for (const target of panel.targets) {
        if (!isObject(target) || typeof target.expr !== 'string' || !target.expr.trim()) {
          problems.push(`${where}: a query without a PromQL expr`);
        }
      }
    }
  };
  if (Array.isArray(dashboard.panels)) visit(dashboard.panels, 'panels');
  return problems;
}

/** Problems in a Prometheus rule file: groups of rules, each alert with an expr and a runbook_url. */
export function ruleFileProblems(document: unknown): string[] {
  if (!isObject(document) || !Array.isArray(document.groups)) return ['no "groups" list'];
  const problems: string[] = [];
  for (const group of document.groups) {
    if (!isObject(group) || typeof group.name !== 'string' || !Array.isArray(group.rules)) {
      problems.push('a group without a name or rules');
      continue;
    }
    for (const rule of group.rules) {
      if (!isObject(rule)) continue;
      const name = String(rule.alert ?? rule.record ?? '?');
      if (typeof rule.expr !== 'string' || !rule.expr.trim()) problems.push(`${group.name}/${name}: no expr`);
      if (rule.alert === undefined && rule.record === undefined)
        problems.push(`${group.name}: a rule that is neither alert nor record`);
      if (rule.alert !== undefined) {
        const annotations = isObject(rule.annotations) ? rule.annotations : {};
        if (typeof annotations.runbook_url !== 'string')
          problems.push(`${group.name}/${name}: no runbook_url`);
      }
    }
  }
  return problems;
}

function schemaCheck(
  base: string,
  path: string,
  problemsOf: (parsed: unknown) => string[],
  format: 'json' | 'yaml',
): CheckResult {
  const what = `schema ${relative(base, path)}`;
  let parsed: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    parsed = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return {
      status: 'fail',
      what,
      detail: `does not parse: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const problems = problemsOf(parsed);
  return problems.length ? { status: 'fail', what, detail: problems.join('\n') } : { status: 'pass', what };
}

async function toolCheck(tool: Tool, what: string, args: string[], cwd?: string): Promise<CheckResult> {
  const binary = findTool(tool);
  if (!binary) return { status: 'skip', what, detail: `${tool} is not installed (${installHints[tool]})` };
  const result = await runTool(binary, args, cwd);
  return result.ok
    ? { status: 'pass', what, detail: result.output }
    : { status: 'fail', what, detail: result.output };
}

/** Every check of a generated folder, in a stable order. */
export async function checkArtifacts(dir: string): Promise<CheckResult[]> {
  const base = resolve(dir);
  if (!existsSync(base) || !statSync(base).isDirectory()) {
    throw new UsageError(`${dir} is not a folder; run \`eventscope generate --out ${dir}\` first`);
  }
  const dashboards = filesUnder(join(base, layout.grafana, 'dashboards'), '.json');
  const provisioning = filesUnder(join(base, layout.grafana, 'provisioning'), '.yaml');
  const rules = filesUnder(join(base, layout.alerts, 'rules'), '.rules.yml');
  const ruleTests = filesUnder(join(base, layout.alerts, 'tests'), '.test.yml');
  const alertmanager = join(base, layout.alerts, 'alertmanager.yml');
  const routeTests = join(base, layout.alerts, 'alertmanager-routes.tests.yml');
  const prometheus = join(base, layout.prometheus, 'prometheus.yml');
  if (!dashboards.length && !rules.length && !existsSync(prometheus)) {
    throw new UsageError(
      `${dir} holds no eventscope artifacts; run \`eventscope generate --out ${dir}\` first`,
    );
  }

  const results: CheckResult[] = [];
  const missing = (what: string, path: string) =>
    results.push({ status: 'fail', what, detail: `${relative(base, path)} is missing` });
  if (!dashboards.length) missing('dashboards', join(base, layout.grafana, 'dashboards'));
  for (const file of dashboards) results.push(schemaCheck(base, file, dashboardProblems, 'json'));
  for (const file of provisioning)
    results.push(
      schemaCheck(
        base,
        file,
        (d) => (isObject(d) && typeof d.apiVersion === 'number' ? [] : ['no apiVersion']),
        'yaml',
      ),
    );
  if (!rules.length) missing('rule files', join(base, layout.alerts, 'rules'));
  for (const file of rules) results.push(schemaCheck(base, file, ruleFileProblems, 'yaml'));
  if (existsSync(alertmanager)) {
    results.push(
      schemaCheck(
        base,
        alertmanager,
        (d) =>
          isObject(d) && isObject(d.route) && Array.isArray(d.receivers)
            ? []
            : ['needs a route and receivers'],
        'yaml',
      ),
    );
  } else missing('alertmanager.yml', alertmanager);
  if (existsSync(prometheus)) {
    results.push(
      schemaCheck(
        base,
        prometheus,
        (d) => (isObject(d) && Array.isArray(d.scrape_configs) ? [] : ['no scrape_configs']),
        'yaml',
      ),
    );
  } else missing('prometheus.yml', prometheus);

  if (rules.length)
    results.push(await toolCheck('promtool', 'promtool check rules', ['check', 'rules', ...rules]));
  for (const test of ruleTests) {
    results.push(
      await toolCheck('promtool', `promtool test rules ${relative(base, test)}`, ['test', 'rules', test]),
    );
  }
  if (existsSync(prometheus)) {
    results.push(
      await toolCheck('promtool', 'promtool check config prometheus.yml', ['check', 'config', prometheus]),
    );
  }
  if (existsSync(alertmanager)) {
    results.push(
      await toolCheck('amtool', 'amtool check-config alertmanager.yml', ['check-config', alertmanager]),
    );
    if (existsSync(routeTests)) results.push(...(await routeChecks(base, alertmanager, routeTests)));
  }
  return results;
}

async function routeChecks(base: string, alertmanager: string, testsFile: string): Promise<CheckResult[]> {
  const parsed = parseYaml(readFileSync(testsFile, 'utf8')) as {
    cases?: { labels: Record<string, string>; receiver: string }[];
  };
  const results: CheckResult[] = [];
  for (const routeCase of parsed.cases ?? []) {
    const labels = Object.entries(routeCase.labels).map(([k, v]) => `${k}=${v}`);
    results.push(
      await toolCheck(
        'amtool',
        `amtool route ${labels.join(' ')} → ${routeCase.receiver}`,
        [
          'config',
          'routes',
          'test',
          `--config.file=${alertmanager}`,
          `--verify.receivers=${routeCase.receiver}`,
          ...labels,
        ],
        base,
      ),
    );
  }
  return results;
}
