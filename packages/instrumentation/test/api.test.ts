import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The public API is what the README's API section lists: every name each entry point exports
 * (values and types alike) is there, under the entry point's own heading, and nothing is listed that
 * the entry point does not export. Adding an export without a line in the README fails here.
 */

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageJson = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, { default: string }>;
};
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The entry points (`.`, `./nats` …) and the source file behind each (`./dist/x.js` is `src/x.ts`). */
const entryPoints = Object.entries(packageJson.exports).map(([subpath, target]) => ({
  specifier: subpath === '.' ? packageJson.name : `${packageJson.name}/${subpath.slice(2)}`,
  source: join(packageDir, target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')),
}));

/** The catalog entry point re-exports `@eventscope/catalog` whole; its README lists those names. */
const REEXPORTS_CATALOG = `${packageJson.name}/catalog`;

function exportedNames(files: readonly string[]): Map<string, string[]> {
  const program = ts.createProgram([...files], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (!symbol) throw new Error(`cannot read the exports of ${file}`);
    out.set(
      file,
      checker.getExportsOfModule(symbol).map((s) => s.getName()),
    );
  }
  return out;
}

/** The API section: from `## API` to the next second-level heading. */
function apiSection(): string {
  const start = readme.indexOf('\n## API\n');
  if (start < 0) throw new Error('README.md has no "## API" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Per `### \`specifier\`` heading, the names its table rows start with (`` | `name(…)` | … ``). */
function documentedNames(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of apiSection().split('\n')) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading) out.set(heading[1]!, (current = []));
    const row = /^\| `([A-Za-z_$][\w$]*)/.exec(line);
    if (row && current) current.push(row[1]!);
  }
  return out;
}

describe('public API', () => {
  const documented = documentedNames();
  const exported = exportedNames(entryPoints.map((e) => e.source));

  it('has a heading in the README for every entry point in package.json', () => {
    expect([...documented.keys()].sort()).toEqual(entryPoints.map((e) => e.specifier).sort());
  });

  for (const entry of entryPoints) {
    if (entry.specifier === REEXPORTS_CATALOG) continue;
    it(`lists every export of ${entry.specifier}, and only those`, () => {
      const names = [...exported.get(entry.source)!].sort();
      expect(names.length).toBeGreaterThan(0);
      expect([...new Set(documented.get(entry.specifier))].sort()).toEqual(names);
    });
  }

  it(`keeps ${REEXPORTS_CATALOG} a plain re-export of @eventscope/catalog`, () => {
    const entry = entryPoints.find((e) => e.specifier === REEXPORTS_CATALOG)!;
    const code = readFileSync(entry.source, 'utf8')
      .replace(/^\/\/.*$/gm, '')
      .trim();
    expect(code).toBe("export * from '@eventscope/catalog';");
  });

  it('keeps the main entry small: what a user calls, not how it is built', () => {
    const main = exported.get(entryPoints.find((e) => e.specifier === packageJson.name)!.source)!;
    expect(main.length).toBeLessThanOrEqual(30);
  });
});
