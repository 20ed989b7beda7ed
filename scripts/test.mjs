// Runs the whole vitest suite and ends with the line CI reads: "N passed, N failed".
// vitest prints no such line itself, so it is derived from vitest's JSON reporter.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = join(process.cwd(), 'test-results');
mkdirSync(out, { recursive: true });
const report = join(out, 'vitest.json');
// Tests note each component they skip for (testkit's needBinary/needService); listed at the end.
const missingFile = join(out, 'missing-components.jsonl');
rmSync(missingFile, { force: true });
// Every test removes its temporary folders, on failure too: the suite checks.
const ownTemp = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('eventscope-')));
const tempBefore = ownTemp();
const result = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, EVENTSCOPE_MISSING_FILE: missingFile } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  for (const file of json.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed') passed++;
      else if (test.status === 'failed') failed++;
      else skipped++;
    }
    // A file that failed to load (import error, missing component in CI) has no assertions.
    if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') failed++;
  }
} else {
  failed++;
}
const leftBehind = [...ownTemp()].filter((name) => !tempBefore.has(name));
if (leftBehind.length > 0) {
  failed++;
  console.log(`\nTemporary folders left behind in ${tmpdir()}: ${leftBehind.join(', ')}`);
}
if (existsSync(missingFile)) {
  const missing = new Map();
  for (const line of readFileSync(missingFile, 'utf8').split('\n').filter(Boolean)) {
    const { name, hint } = JSON.parse(line);
    missing.set(name, hint);
  }
  console.log('\nIntegration tests skipped for lack of:');
  for (const [name, hint] of missing) console.log(`  ${name}: ${hint}`);
  console.log('(`bash .ci/run` installs and starts all of them, and fails instead of skipping.)');
}
const code = result.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
