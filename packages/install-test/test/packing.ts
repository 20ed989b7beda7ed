import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The workspace's packages that are published: every packages/* without `private: true`. */
export function publishedPackageDirs(repo: string): string[] {
  const packages = join(repo, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packages, entry.name, 'package.json')))
    .map((entry) => join(packages, entry.name))
    .filter((dir) => readManifest(dir).private !== true);
}

export interface PackedPackage {
  name: string;
  dir: string;
  tarball: string;
  /** The package.json inside the tarball, as npm will read it. */
  manifest: Manifest;
}

/**
 * `pnpm pack` in each package folder, as publishing would: pnpm writes real version ranges where
 * the workspace has `workspace:` ones. Returns the packed packages by name.
 */
export function packAll(dirs: string[], destination: string): Map<string, PackedPackage> {
  const packed = new Map<string, PackedPackage>();
  for (const dir of dirs) {
    const before = new Set(readdirSync(destination));
    execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd: dir,
      stdio: 'pipe',
      timeout: 60_000,
    });
    const created = readdirSync(destination).filter((file) => !before.has(file) && file.endsWith('.tgz'));
    if (created.length !== 1) throw new Error(`pnpm pack in ${dir} wrote ${created.join(', ') || 'nothing'}`);
    const tarball = join(destination, created[0]!);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as Manifest;
    packed.set(manifest.name, { name: manifest.name, dir, tarball, manifest });
  }
  return packed;
}

/**
 * The tarballs npm needs to install `name` without a registry that has our packages: the package
 * and every one of ours it depends on, transitively, less those already installed.
 */
export function tarballsFor(
  name: string,
  packed: Map<string, PackedPackage>,
  installed: (name: string) => boolean,
): string[] {
  const out = new Set<string>();
  const visit = (current: string, from: string) => {
    const entry = packed.get(current);
    if (!entry) throw new Error(`${from} depends on ${current}, which is not a published package`);
    if (!installed(current)) out.add(entry.tarball);
    for (const dependency of Object.keys(entry.manifest.dependencies ?? {})) {
      if (dependency.startsWith('@eventscope/') || dependency === 'eventscope') visit(dependency, current);
    }
  };
  visit(name, 'the README');
  return [...out];
}

/**
 * The exact version this repository tests a third-party package with: the instrumentation
 * package's devDependencies first (its peers are pinned there), then any exact pin in the workspace.
 */
export function testedVersion(repo: string, name: string): string {
  const exact = /^\d+\.\d+\.\d+$/;
  const pins = (manifest: Manifest) => ({ ...manifest.dependencies, ...manifest.devDependencies });
  const preferred = pins(readManifest(join(repo, 'packages/instrumentation')))[name];
  if (preferred && exact.test(preferred)) return preferred;
  for (const group of ['packages', 'examples']) {
    for (const entry of readdirSync(join(repo, group), { withFileTypes: true })) {
      const dir = join(repo, group, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
      const version = pins(readManifest(dir))[name];
      if (version && exact.test(version)) return version;
    }
  }
  throw new Error(`the README installs ${name}, which no package of this repository pins or tests with`);
}
