import { renderSignalTable, type SignalDefinition, signalForSeries } from '@eventscope/catalog';
import { generateDashboards } from './generate.js';
import { panelQueries } from './panel-queries.js';

/** The catalog signals the generated dashboards query by default (every selector carries `{…}` matchers). */
export function queriedSignals(): Set<SignalDefinition> {
  const found = new Set<SignalDefinition>();
  for (const { dashboard } of generateDashboards()) {
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
