import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type AlertsConfig, writeAlerts } from '@eventscope/alerts';
import type { NamingFlavor } from '@eventscope/catalog';
import { writeDashboards } from '@eventscope/dashboards';
import type { Command } from 'commander';
import { type EventscopeConfig, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { oneOf } from '../options.js';
import { prometheusConfig } from '../scrape-config.js';

/** Where each part lands inside the output folder. */
export const layout = {
  grafana: 'grafana',
  alerts: 'alerts',
  prometheus: 'prometheus',
  /** Rule files as the generated prometheus.yml refers to them. */
  ruleGlob: '../alerts/rules/*.rules.yml',
} as const;

export interface GenerateOptions {
  config?: string;
  out: string;
  flavor?: NamingFlavor;
  profile?: 'production' | 'test';
  quiet?: boolean;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'write Grafana dashboards and provisioning, Prometheus rules and PrometheusRule, alertmanager.yml, runbooks, promtool tests and a scrape config',
    )
    .option(
      '--config <file>',
      'eventscope.config.(json|yaml|ts); default: the first found in this folder, else defaults',
    )
    .option('--out <dir>', 'output folder', 'eventscope')
    .option(
      '--flavor <naming>',
      'override the config: prometheus or otel naming',
      oneOf(['prometheus', 'otel'] as const),
    )
    .option(
      '--profile <name>',
      'alert time scales: production, or test (windows of seconds, for trying alerts out)',
      oneOf(['production', 'test'] as const),
    )
    .action(async (options: GenerateOptions) => {
      const { config, path } = await loadConfig(options.config);
      const written = generateAll(config, options);
      if (!options.quiet) {
        process.stdout.write(
          `eventscope generate: ${path ? `config ${path}` : 'no config file, defaults'}\n`,
        );
        for (const file of written)
          process.stdout.write(`  wrote ${relative(process.cwd(), file) || file}\n`);
        process.stdout.write(
          `${written.length} files in ${options.out}/. Next: \`eventscope check ${options.out}\`, import ${options.out}/${layout.grafana}/dashboards/*.json into Grafana, load ${options.out}/${layout.alerts}/rules into Prometheus.\n`,
        );
      }
    });
}

/** Generate every artifact into `options.out`; returns absolute paths written. */
export function generateAll(
  config: EventscopeConfig,
  options: Pick<GenerateOptions, 'out' | 'flavor' | 'profile'>,
): string[] {
  const out = resolve(options.out);
  const flavor = options.flavor ?? config.flavor ?? 'prometheus';
  const selectors = config.selectors ?? {};
  const written: string[] = [];
  try {
    written.push(...writeDashboards(join(out, layout.grafana), { ...config.dashboards, flavor, selectors }));
  } catch (error) {
    throw new UsageError(`invalid dashboards config: ${messageOf(error)}`);
  }
  const alertsConfig: AlertsConfig = {
    ...config.alerts,
    flavor,
    selectors,
    // A label the user selects on is one their scrape targets carry.
    extraTargetLabels: [
      ...new Set([
        ...(config.alerts?.extraTargetLabels ?? []),
        ...Object.keys(selectors).filter((l) => l !== 'job' && l !== 'instance'),
      ]),
    ],
    ...(options.profile ? { profile: options.profile } : {}),
  };
  let alertFiles: Record<string, string>;
  try {
    alertFiles = writeAlerts(join(out, layout.alerts), alertsConfig);
  } catch (error) {
    throw new UsageError(
      messageOf(error).startsWith('invalid alerts')
        ? messageOf(error)
        : `invalid alerts config: ${messageOf(error)}`,
    );
  }
  written.push(...Object.keys(alertFiles).map((file) => join(out, layout.alerts, file)));
  const prometheusDir = join(out, layout.prometheus);
  mkdirSync(prometheusDir, { recursive: true });
  const scrape = join(prometheusDir, 'prometheus.yml');
  writeFileSync(scrape, prometheusConfig({ ...config.prometheus, ruleFiles: [layout.ruleGlob] }));
  written.push(scrape);
  return written;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
