import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type EventscopeConfig, type ResolvedConfig, resolveConfig } from '@eventscope/config';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.js';

/**
 * `eventscope.config.(json|yaml|ts)`: one file drives the dashboards, the alerts, the Prometheus
 * scrape config, `report` and `preview`. Its shape, defaults and checks live in @eventscope/config
 * (with a JSON Schema for editors); this module only finds and reads the file.
 */

export const configFileNames = [
  'eventscope.config.json',
  'eventscope.config.yaml',
  'eventscope.config.yml',
  'eventscope.config.ts',
  'eventscope.config.mjs',
  'eventscope.config.js',
];

export interface LoadedConfig {
  /** Every default filled in, every field checked. */
  config: ResolvedConfig;
  /** The config as written, with the command line's overrides applied. */
  input: EventscopeConfig;
  /** The file it came from; undefined when none was found and defaults apply. */
  path?: string;
}

/**
 * Load the config named on the command line, else the first `eventscope.config.*` in `cwd`, else
 * defaults; `overrides` (from flags such as --flavor) replace top-level keys. A config with
 * mistakes throws a UsageError (exit 2) listing every one with its path.
 */
export async function loadConfig(
  explicit: string | undefined,
  overrides: Partial<EventscopeConfig> = {},
  cwd = process.cwd(),
): Promise<LoadedConfig> {
  let path: string | undefined;
  if (explicit) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new UsageError(`config file ${explicit} not found (looked at ${path})`);
  } else {
    path = configFileNames.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  }
  const raw = path ? await readConfigFile(path) : {};
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new UsageError(`${path}: the config must be an object (a .ts or .js config exports it as default)`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const input = { ...(raw ?? {}), ...defined } as EventscopeConfig;
  try {
    return { config: resolveConfig(input, path), input, ...(path ? { path } : {}) };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

async function readConfigFile(path: string): Promise<unknown> {
  const extension = extname(path);
  try {
    if (extension === '.json') return JSON.parse(readFileSync(path, 'utf8'));
    if (extension === '.yaml' || extension === '.yml') return parseYaml(readFileSync(path, 'utf8'));
    if (['.ts', '.mts', '.js', '.mjs'].includes(extension)) {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      return module.default;
    }
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new UsageError(`${path}: config files are .json, .yaml, .yml, .ts, .mjs or .js`);
}
