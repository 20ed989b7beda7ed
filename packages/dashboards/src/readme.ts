import { readFileSync, writeFileSync } from 'node:fs';
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import {
  renderSignalTable,
  replaceSignalBlock,
  type SignalDefinition,
  signalForSeries,
} from '@eventscope/catalog';
import { generateDashboards } from './generate.js';
import { panelQueries } from './panel-queries.js';

/** The catalog signals the generated dashboards query (every selector carries `{…}` matchers). */
export function queriedSignals(): Set<SignalDefinition> {
  const found = new Set<SignalDefinition>();
  for (const { dashboard } of generateDashboards({ slo: { availability: 0.999 } })) {
    for (const { expr } of panelQueries(dashboard)) {
      for (const [name] of expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)/g)) {
        const signal = signalForSeries(name, 'prometheus')?.signal;
        if (signal) found.add(signal);
      }
    }
  }
  return found;
}

/** The README's generated block: the signals the dashboards query, with names for both flavors. */
export function signalTable(): string {
  const queried = queriedSignals();
  return renderSignalTable((signal) => queried.has(signal));
}

// `node dist/readme.js --write README.md` refreshes the block in place.
if (import.meta.url === pathToFileURL(argv[1] ?? '').href) {
  const index = argv.indexOf('--write');
  const path = index >= 0 ? argv[index + 1] : undefined;
  if (!path) {
    console.error('usage: node dist/readme.js --write README.md');
    process.exit(2);
  }
  writeFileSync(path, replaceSignalBlock(readFileSync(path, 'utf8'), signalTable()));
}
