import { join, relative, resolve } from 'node:path';
import { type Environment, generateAlerts } from '@eventscope/alerts';
import type { NamingFlavor } from '@eventscope/catalog';
import type { ProfileName, ResolvedConfig } from '@eventscope/config';
import { type GeneratedFiles, underFolder, writeFilesAtomically } from '@eventscope/config/output';
import { dashboardFiles } from '@eventscope/dashboards';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { UnavailableError } from '../errors.js';
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
  profile?: ProfileName;
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
      const { config, path } = await loadConfig(options.config, {
        flavor: options.flavor,
        profile: options.profile,
      });
      const written = writeAll(options.out, generateAll(config));
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

/** Every artifact of one configuration, by path inside the output folder; pure. */
export function generateAll(config: ResolvedConfig, env: Environment = process.env): GeneratedFiles {
  const { targets, scrapeInterval, job, alertmanager } = config.prometheus;
  return {
    ...underFolder(layout.grafana, dashboardFiles(config)),
    ...underFolder(layout.alerts, generateAlerts(config, env)),
    [join(layout.prometheus, 'prometheus.yml')]: prometheusConfig({
      targets: [...targets],
      scrapeInterval,
      job,
      alertmanager,
      ruleFiles: [layout.ruleGlob],
    }),
  };
}

/** Write the generated tree into `out` atomically: all of it, or nothing (the old contents stay). */
export function writeAll(out: string, files: GeneratedFiles): string[] {
  try {
    return writeFilesAtomically(resolve(out), files);
  } catch (error) {
    throw new UnavailableError(
      `cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
