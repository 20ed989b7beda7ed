import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needBinary, needService, portOpen } from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInApp, startInApp, userEnvironment } from './app-process.js';
import { type PackedPackage, packAll, publishedPackageDirs, tarballsFor, testedVersion } from './packing.js';
import { type ReadmeBlock, readmeBlocks, shellCommands } from './readme-blocks.js';

/**
 * Installs eventscope the way users do and runs the root README's install section as it stands:
 * every published package is packed (`pnpm pack`, which turns `workspace:` ranges into versions),
 * a fresh app outside the repository gets the tarballs with npm, and every block marked
 * `<!-- install-test: NAME -->` runs there — the npm commands, the snippets as NAME files, the
 * command line. Two things differ from a user's machine, because our packages are not on a
 * registry here: each of our package names becomes its tarball (with the tarballs of our packages
 * it depends on), and a third-party package without a version becomes the version this repository
 * tests with.
 */

const repo = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const readme = join(repo, 'README.md');
const blocks = readmeBlocks(readme);
const block = (name: string): ReadmeBlock => {
  const found = blocks.find((b) => b.name === name);
  if (!found) throw new Error(`README.md has no block marked <!-- install-test: ${name} -->`);
  return found;
};

/** The port the README's snippets and `eventscope demo` serve /metrics on. */
const METRICS_PORT = 9464;

const npm = needBinary('npm', 'comes with Node.js; ./run puts a Node with npm on PATH');
const pnpm = needBinary('pnpm', './run installs it into .tools/');
const rabbitmq = await needService('rabbitmq', 5672, 'rabbitmq-server (guest/guest)');

async function expectMetricsPortFree(): Promise<void> {
  if (await portOpen(METRICS_PORT)) {
    throw new Error(
      `something already listens on 127.0.0.1:${METRICS_PORT}, the port the README's snippets use; stop it (an \`eventscope demo\`?) and rerun`,
    );
  }
}

/** `name` or `name@range` (scoped names too) → [name, range]. */
function splitSpec(spec: string): [string, string | undefined] {
  const at = spec.lastIndexOf('@');
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
}

/** Every installed package folder under node_modules (nested ones too), by package name. */
function installedCopies(nodeModules: string, into = new Map<string, string[]>()): Map<string, string[]> {
  if (!existsSync(nodeModules)) return into;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(nodeModules, entry.name);
    if (entry.name.startsWith('@') && entry.isDirectory()) {
      for (const scoped of readdirSync(path, { withFileTypes: true })) {
        const packagePath = join(path, scoped.name);
        into.set(`${entry.name}/${scoped.name}`, [
          ...(into.get(`${entry.name}/${scoped.name}`) ?? []),
          packagePath,
        ]);
        installedCopies(join(packagePath, 'node_modules'), into);
      }
    } else if (entry.isDirectory() || entry.isSymbolicLink()) {
      into.set(entry.name, [...(into.get(entry.name) ?? []), path]);
      installedCopies(join(path, 'node_modules'), into);
    }
  }
  return into;
}

/** Every symbolic link under `dir` whose target lies inside `forbidden`. */
function linksInto(dir: string, forbidden: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(path);
        } catch {
          continue; // a dangling link points nowhere, so not into the checkout
        }
        if (target === forbidden || target.startsWith(`${forbidden}/`)) found.push(`${path} -> ${target}`);
      } else if (entry.isDirectory()) {
        walk(path);
      }
    }
  };
  walk(dir);
  return found;
}

/** Relative links and images of a README that should ship with the package (not ../ siblings, not anchors). */
function shippedLinks(readmeText: string): string[] {
  const links = [...readmeText.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!.split('#')[0]!);
  return [...new Set(links)].filter(
    (target) => target && !/^[a-z]+:/i.test(target) && !target.startsWith('../') && !target.startsWith('/'),
  );
}

describe.skipIf(!npm || !pnpm)(
  'published packages, packed and installed with npm into a fresh app outside the repository, run the README install section',
  () => {
    let root = '';
    let app = '';
    let env: NodeJS.ProcessEnv = {};
    let packed = new Map<string, PackedPackage>();

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'eventscope-install-'));
      try {
        const tarballs = join(root, 'tarballs');
        app = join(root, 'app');
        mkdirSync(tarballs);
        mkdirSync(app);
        packed = packAll(publishedPackageDirs(repo), tarballs);
        writeFileSync(
          join(app, 'package.json'),
          `${JSON.stringify({ name: 'eventscope-install-check', private: true, type: 'module' }, null, 2)}\n`,
        );
        env = userEnvironment(repo);
        const installed = (name: string) => existsSync(join(app, 'node_modules', name, 'package.json'));
        for (const command of shellCommands(block('install.sh'))) {
          const [tool, verb, ...rest] = command;
          if (tool !== 'npm' || verb !== 'install') {
            throw new Error(
              `install.sh: "${command.join(' ')}" is not an npm install; only npm install lines run here`,
            );
          }
          const args: string[] = [];
          for (const word of rest) {
            if (word.startsWith('-')) {
              args.push(word);
              continue;
            }
            const [name, range] = splitSpec(word);
            if (packed.has(name)) args.push(...tarballsFor(name, packed, installed));
            else if (name.startsWith('@eventscope/'))
              throw new Error(`install.sh: ${name} is not a published package`);
            else args.push(`${name}@${range ?? testedVersion(repo, name)}`);
          }
          const started = performance.now();
          const result = await runInApp('npm', ['install', '--no-audit', '--no-fund', ...args], {
            cwd: app,
            env,
            timeoutMs: 300_000,
          });
          if (result.code !== 0) {
            throw new Error(
              `npm install ${args.join(' ')} exited ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
            );
          }
          console.log(`${command.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
        }
      } catch (error) {
        rmSync(root, { recursive: true, force: true });
        throw error;
      }
    });

    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('npm installed every published package from its tarball: no link into the checkout, one copy of each shared dependency, no pino', () => {
      expect(app.startsWith(`${repo}/`)).toBe(false);
      expect(linksInto(join(app, 'node_modules'), repo)).toEqual([]);
      const copies = installedCopies(join(app, 'node_modules'));
      for (const entry of packed.values()) {
        expect(copies.get(entry.name), entry.name).toHaveLength(1);
        const installed = JSON.parse(
          readFileSync(join(app, 'node_modules', entry.name, 'package.json'), 'utf8'),
        );
        expect(installed.version).toBe(entry.manifest.version);
        expect(lstatSync(join(app, 'node_modules', entry.name)).isSymbolicLink()).toBe(false);
      }
      // Ranges, not pins: the app's copies and ours are one.
      for (const shared of [
        'yaml',
        'commander',
        'zod',
        'prom-client',
        '@opentelemetry/api',
        '@opentelemetry/sdk-metrics',
      ]) {
        expect(copies.get(shared), shared).toHaveLength(1);
      }
      // pino is an optional peer: the default slow-event logger writes JSON lines itself.
      expect(copies.has('pino')).toBe(false);
    });

    it('every tarball: versions for workspace: ranges, no private dependency, ranges that dedupe, engines, and the files its README links to', () => {
      expect([...packed.keys()].sort()).toEqual(
        expect.arrayContaining([
          '@eventscope/alerts',
          '@eventscope/catalog',
          '@eventscope/config',
          '@eventscope/dashboards',
          '@eventscope/demo',
          '@eventscope/instrumentation',
          'eventscope',
        ]),
      );
      for (const { name, manifest } of packed.values()) {
        expect(JSON.stringify(manifest), name).not.toContain('workspace:');
        expect(manifest.engines?.node, name).toBe('>=22.15');
        for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
          if (dependency.startsWith('@eventscope/') || dependency === 'eventscope') {
            expect(packed.has(dependency), `${name} depends on unpublished ${dependency}`).toBe(true);
          }
          expect(range, `${name}: ${dependency} is pinned exactly, so it never dedupes`).not.toMatch(/^\d/);
        }
        const folder = join(app, 'node_modules', name);
        expect(existsSync(join(folder, 'README.md')), `${name} ships its README`).toBe(true);
        expect(existsSync(join(folder, 'dist', 'index.js')), `${name} ships dist`).toBe(true);
        const missing = shippedLinks(readFileSync(join(folder, 'README.md'), 'utf8')).filter(
          (target) => !existsSync(join(folder, target)),
        );
        expect(missing, `${name}: its README links to files the tarball lacks`).toEqual([]);
      }
    });

    it("app.mjs: a wrapped handler's series on the app's own /metrics", async () => {
      await expectMetricsPortFree();
      writeFileSync(join(app, 'app.mjs'), block('app.mjs').code);
      const running = startInApp('node', ['app.mjs'], { cwd: app, env, timeoutMs: 60_000 });
      try {
        const [, url] = await running.waitForOutput(/serving (http:\/\/\S+)/, 30_000);
        const text = await (await fetch(url!)).text();
        expect(text).toMatch(
          /^messaging_process_duration_seconds_count\{[^}]*messaging_destination_name="orders\.created"[^}]*\} 3$/m,
        );
      } finally {
        await running.stop();
      }
      expect(running.stderr()).toBe('');
    });

    it("prom-client.mjs: eventscope's series in prom-client's register, beside the default metrics", async () => {
      writeFileSync(join(app, 'prom-client.mjs'), block('prom-client.mjs').code);
      const result = await runInApp('node', ['prom-client.mjs'], { cwd: app, env, timeoutMs: 60_000 });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^process_cpu_user_seconds_total \S+$/m);
      expect(result.stdout).toMatch(
        /^messaging_process_duration_seconds_count\{[^}]*messaging_destination_name="orders\.created"[^}]*\} 1$/m,
      );
    });

    it("otel.mjs: startTelemetry serves the OpenTelemetry Prometheus exporter with eventscope's series", async () => {
      await expectMetricsPortFree();
      writeFileSync(join(app, 'otel.mjs'), block('otel.mjs').code);
      const running = startInApp('node', ['otel.mjs'], { cwd: app, env, timeoutMs: 60_000 });
      let stopped: Awaited<ReturnType<typeof running.stop>>;
      try {
        const [, url] = await running.waitForOutput(/serving (http:\/\/\S+)/, 30_000);
        const text = await (await fetch(url!)).text();
        expect(text).toMatch(
          /^messaging_process_duration_count\{[^}]*messaging_destination_name="orders\.created"[^}]*otel_scope_name="@eventscope\/instrumentation"[^}]*\} 1$/m,
        );
        expect(text).toMatch(/^target_info\{[^}]*service_name="billing"/m);
      } finally {
        stopped = await running.stop();
      }
      expect(stopped.code).toBe(0);
    });

    it.skipIf(!rabbitmq)(
      'rabbitmq.mjs: one message through the real RabbitMQ on 127.0.0.1:5672, sent and consumed counted',
      async () => {
        writeFileSync(join(app, 'rabbitmq.mjs'), block('rabbitmq.mjs').code);
        const result = await runInApp('node', ['rabbitmq.mjs'], { cwd: app, env, timeoutMs: 60_000 });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        for (const counted of [
          'messaging_client_sent_messages_total',
          'messaging_client_consumed_messages_total',
        ]) {
          expect(result.stdout).toMatch(
            new RegExp(
              `^${counted}\\{[^}]*messaging_system="rabbitmq",messaging_destination_name="orders\\.created"[^}]*\\} 1$`,
              'm',
            ),
          );
        }
      },
    );

    it('cli.sh: npx eventscope demo prints the live view and exits 0; generate, check and catalog succeed', async () => {
      expect(existsSync(join(app, 'node_modules', '.bin', 'eventscope'))).toBe(true);
      for (const command of shellCommands(block('cli.sh'))) {
        const [tool, bin, subcommand, ...rest] = command;
        expect(`${tool} ${bin}`, 'cli.sh runs the installed command line').toBe('npx eventscope');
        if (subcommand === 'demo') await expectMetricsPortFree();
        // --no: npx answers no rather than fetch a package of that name from the registry.
        const started = performance.now();
        const result = await runInApp('npx', ['--no', 'eventscope', subcommand!, ...rest], {
          cwd: app,
          env,
          timeoutMs: 240_000,
        });
        console.log(`${command.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
        const shown = `${command.join(' ')}\n${result.stdout}\n${result.stderr}`;
        expect(result.code, shown).toBe(0);
        if (subcommand === 'demo') {
          expect(result.stdout).toMatch(/eventscope demo\s+scenario steady/);
          expect(result.stdout).toMatch(/throughput\s+[1-9][\d.]* events\/s/);
          expect(result.stdout).toMatch(/stopped after \d+ s; [1-9]\d* events processed/);
        } else if (subcommand === 'generate') {
          const out = rest[rest.indexOf('--out') + 1] ?? 'eventscope';
          expect(existsSync(join(app, out, 'grafana', 'dashboards', 'eventscope-overview.json'))).toBe(true);
          expect(existsSync(join(app, out, 'alerts', 'alertmanager.yml'))).toBe(true);
          expect(existsSync(join(app, out, 'prometheus', 'prometheus.yml'))).toBe(true);
        } else if (subcommand === 'check') {
          expect(result.stderr).toMatch(/check: [1-9]\d* passed, 0 failed/);
        } else if (subcommand === 'catalog') {
          expect(result.stdout).toContain('messaging_process_duration_seconds');
        }
      }
      // `check` runs every promtool rule test: ~20 s on an idle 2-vCPU machine, a minute under load.
    }, 360_000);
  },
);
