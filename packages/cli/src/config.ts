import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AlertsConfig } from '@eventscope/alerts';
import type { NamingFlavor } from '@eventscope/catalog';
import type { WriteOptions } from '@eventscope/dashboards';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.js';

/**
 * `eventscope.config.(json|yaml|ts)`: one file drives the dashboards, the alerts and the
 * Prometheus scrape config. `flavor` and `selectors` apply to all three.
 */
export interface EventscopeConfig {
  /** Metric naming the services expose: prom-client (`prometheus`, default) or the OTel exporter (`otel`). */
  flavor?: NamingFlavor;
  /** Label matchers every query and rule carries, e.g. `{ namespace: 'shop' }`. */
  selectors?: Record<string, string>;
  dashboards?: Omit<WriteOptions, 'flavor' | 'selectors'>;
  alerts?: Omit<AlertsConfig, 'flavor' | 'selectors'>;
  prometheus?: ScrapeSettings;
}

export interface ScrapeSettings {
  /** host:port of every service serving /metrics. Default the demo's, 127.0.0.1:9464. */
  targets?: string[];
  /** Default `15s`. */
  scrapeInterval?: string;
  /** Default `eventscope`. */
  job?: string;
  /** host:port of Alertmanager. Default 127.0.0.1:9093. */
  alertmanager?: string;
}

export const configFileNames = [
  'eventscope.config.json',
  'eventscope.config.yaml',
  'eventscope.config.yml',
  'eventscope.config.ts',
  'eventscope.config.mjs',
  'eventscope.config.js',
];

const topLevelKeys = ['flavor', 'selectors', 'dashboards', 'alerts', 'prometheus'];

export interface LoadedConfig {
  config: EventscopeConfig;
  /** The file it came from; undefined when none was found and defaults apply. */
  path?: string;
}

/** Load the config named on the command line, else the first `eventscope.config.*` in `cwd`, else defaults. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  let path: string | undefined;
  if (explicit) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UsageError(`config file ${explicit} not found (looked at ${path})`);
    }
  } else {
    path = configFileNames.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
    if (!path) return { config: {} };
  }
  const raw = await readConfigFile(path);
  return { config: checkConfig(raw, path), path };
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

function checkConfig(raw: unknown, path: string): EventscopeConfig {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${path}: the config must be an object (a .ts or .js config exports it as default)`);
  }
  const record = raw as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !topLevelKeys.includes(key));
  if (unknown.length) {
    throw new UsageError(
      `${path}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${topLevelKeys.join(', ')}`,
    );
  }
  if (record.flavor !== undefined && record.flavor !== 'prometheus' && record.flavor !== 'otel') {
    throw new UsageError(
      `${path}: flavor must be "prometheus" or "otel", got ${JSON.stringify(record.flavor)}`,
    );
  }
  for (const key of ['selectors', 'dashboards', 'alerts', 'prometheus']) {
    const value = record[key];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new UsageError(`${path}: "${key}" must be an object`);
    }
  }
  const prometheus = record.prometheus as ScrapeSettings | undefined;
  if (prometheus?.targets !== undefined) {
    if (
      !Array.isArray(prometheus.targets) ||
      !prometheus.targets.every((t) => /^[^\s/]+:\d+$/.test(String(t)))
    ) {
      throw new UsageError(
        `${path}: prometheus.targets must be a list of host:port strings, e.g. ["127.0.0.1:9464"]`,
      );
    }
  }
  return record as EventscopeConfig;
}
