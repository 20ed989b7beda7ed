import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventscopeConfig, ResolvedConfig } from '@eventscope/config';
import { type DashboardFilesOptions, dashboardFiles } from './files.js';

/**
 * Write the dashboards and everything needed to load them (see `dashboardFiles`) into `outDir`,
 * next to whatever else it holds. Returns the paths written.
 */
export function writeDashboards(
  outDir: string,
  config: EventscopeConfig | ResolvedConfig = {},
  options: DashboardFilesOptions = {},
): string[] {
  return Object.entries(dashboardFiles(config, options)).map(([relative, text]) => {
    const path = join(outDir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  });
}
