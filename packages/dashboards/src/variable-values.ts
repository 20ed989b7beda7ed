import { type FilterVariable, filterVariables } from './queries.js';

/**
 * Values for a dashboard's variables when its queries run outside Grafana (the preview, the
 * end-to-end test). Filter variables are regular expressions, as Grafana sends them; unset means
 * "All" (`.*`).
 */
export interface VariableValues extends Partial<Record<FilterVariable, string>> {
  /** `$__rate_interval`: Grafana derives it from the scrape interval and step. Default `1m`. */
  rateInterval?: string;
  /** `$__range`: the dashboard time range. Default `1h`. */
  range?: string;
  /** `$__interval`: the step. Default `15s`. */
  interval?: string;
}

const builtins: Record<string, keyof VariableValues> = {
  __rate_interval: 'rateInterval',
  __range: 'range',
  __interval: 'interval',
};
const builtinDefaults: Record<string, string> = { rateInterval: '1m', range: '1h', interval: '15s' };

/** Replace `$var`, `${var}` and `[[var]]` in an expression; fail on a variable left unresolved. */
export function resolveVariables(expr: string, values: VariableValues = {}): string {
  const lookup = (name: string): string => {
    const builtin = builtins[name];
    if (builtin) return String(values[builtin] ?? builtinDefaults[builtin]);
    if (name in values || (filterVariables as readonly string[]).includes(name)) {
      return String(values[name as FilterVariable] ?? '.*');
    }
    throw new Error(`query uses the variable $${name}, which has no value: ${expr}`);
  };
  return expr.replace(
    /\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]|\$([a-zA-Z_][a-zA-Z0-9_]*)/g,
    (_match, braced: string | undefined, bracketed: string | undefined, bare: string | undefined) =>
      lookup((braced ?? bracketed ?? bare)!),
  );
}
