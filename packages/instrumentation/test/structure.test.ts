import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape of the source, checked so that it stays the way it was mended: no import cycles (a
 * reader can follow imports one way, from the entry points down), and no function longer than a
 * screen or so.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const MAX_FUNCTION_LINES = 80;
/** Declarative builders, long by nature (one panel after another): exempt from the length check. */
const FUNCTION_LENGTH_EXEMPT_DIRS = ['packages/dashboards/src/dashboards/'];

/** Every `src` directory under packages/ and examples/: the whole source tree. */
function allSourceDirs(): string[] {
  return ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(repoRoot, group))
      .map((name) => join(repoRoot, group, name, 'src'))
      .filter((dir) => existsSync(dir)),
  );
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const repoPath = (path: string) => relative(repoRoot, path);

// --- import cycles ---------------------------------------------------------------------------------

// `import … from './x.js'`, `export … from './x.js'`, `import './x.js'`, `import('./x.js')`. Type-only
// imports count too: a cycle of types is still two modules a reader cannot put in order.
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** The source file a relative specifier names (NodeNext: `./x.js` is `./x.ts`), if it is one. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const match of withoutComments(readFileSync(file, 'utf8')).matchAll(RELATIVE_IMPORT)) {
      const target = resolveImport(file, match[1]!);
      if (target !== undefined) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every cycle a depth-first search meets, each as the list of files around it. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (seen === undefined) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

// --- function length -------------------------------------------------------------------------------

interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function functionName(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent !== undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) {
    return parent.name.getText();
  }
  return '(anonymous)';
}

/** Functions, methods, constructors, accessors and arrows whose body spans more than `max` lines. */
function longFunctions(file: string, max: number): LongFunction[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node)) {
      const body = (node as { body?: ts.Node }).body;
      if (body !== undefined) {
        const first = source.getLineAndCharacterOfPosition(body.getStart(source)).line;
        const last = source.getLineAndCharacterOfPosition(body.getEnd()).line;
        const lines = last - first + 1;
        if (lines > max)
          found.push({ file: repoPath(file), line: first + 1, name: functionName(node), lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

// --- the checks ------------------------------------------------------------------------------------

describe('source structure', () => {
  it('has no import cycle anywhere in the source tree', () => {
    const cycles: string[] = [];
    for (const dir of allSourceDirs()) {
      for (const cycle of findCycles(importGraph(sourceFiles(dir))))
        cycles.push(cycle.map(repoPath).join(' → '));
    }
    expect(cycles).toEqual([]);
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines outside the declarative dashboard builders`, () => {
    const long: string[] = [];
    for (const dir of allSourceDirs()) {
      for (const file of sourceFiles(dir)) {
        if (FUNCTION_LENGTH_EXEMPT_DIRS.some((exempt) => repoPath(file).startsWith(exempt))) continue;
        for (const f of longFunctions(file, MAX_FUNCTION_LINES)) {
          long.push(`${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
        }
      }
    }
    expect(long).toEqual([]);
  });

  it('finds a cycle and a long function when there is one (the checks themselves work)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
    const self = fileURLToPath(import.meta.url);
    expect(longFunctions(self, 10).map((f) => f.name)).toContain('longFunctions');
  });
});
