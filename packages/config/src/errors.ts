import type { z } from 'zod';

/** One thing wrong with a configuration, naming the field (`slos[1].objective`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Every problem of a configuration at once, each with its path. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly issues: readonly ConfigIssue[],
    /** Where the config came from, when it was a file. */
    readonly source?: string,
  ) {
    super(
      `invalid configuration${source ? ` in ${source}` : ''} (${issues.length} ${issues.length === 1 ? 'error' : 'errors'}):\n${issues
        .map((i) => `  - ${i.path || '(top level)'}: ${i.message}`)
        .join('\n')}`,
    );
  }
}

/** `slos[1].objective` from zod's `['slos', 1, 'objective']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Keys of earlier config layouts, and where their meaning lives now. */
const movedKeys: Record<string, string> = {
  'alerts.profile': 'profile',
  'alerts.slos': 'slos',
  'alerts.thresholds': 'thresholds',
  'alerts.services': 'services',
  'alerts.serviceLabel': 'serviceLabel',
  'alerts.selectors': 'selectors',
  'alerts.flavor': 'flavor',
  'alerts.extraTargetLabels': 'extraTargetLabels',
  'dashboards.slo': 'slos (objectives) and sloWindow',
  'dashboards.selectors': 'selectors',
  'dashboards.flavor': 'flavor',
};

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest allowed key, when one is close enough to be a typo. */
export function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

type AnySchema = z.core.$ZodType;

/** The keys an object schema allows at `path` (through optionals and arrays), for suggestions. */
function keysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let current: AnySchema | undefined = schema;
  const step = (s: AnySchema | undefined): AnySchema | undefined => {
    let node = s;
    while (node && (node._zod.def.type === 'optional' || node._zod.def.type === 'pipe')) {
      const def = node._zod.def as { innerType?: AnySchema; in?: AnySchema };
      node = def.innerType ?? def.in;
    }
    return node;
  };
  for (const part of path) {
    current = step(current);
    if (!current) return [];
    const def = current._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
    if (def.type === 'object' && typeof part === 'string') current = def.shape?.[part];
    else if (def.type === 'array') current = def.element;
    else return [];
  }
  current = step(current);
  const def = current?._zod.def as { type: string; shape?: Record<string, AnySchema> } | undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** zod's issues as ours: unknown keys get a suggestion (or where a moved key lives now). */
export function issuesFrom(schema: AnySchema, error: z.core.$ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(schema, issue.path).filter((k) => k !== '$schema');
      for (const key of issue.keys) {
        const path = formatPath([...issue.path, key]);
        const moved = movedKeys[path];
        const guess = didYouMean(key, allowed);
        out.push({
          path,
          message: moved
            ? `unknown key: this setting now lives at the top level as ${moved}`
            : `unknown key${guess ? `; did you mean "${guess}"?` : ''} (allowed: ${allowed.join(', ')})`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      const key = issue.path.at(-1);
      out.push({
        path: formatPath(issue.path),
        message: `${JSON.stringify(key)} is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
      });
      continue;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      out.push({
        path: formatPath(issue.path),
        message: `${JSON.stringify(issue.input)} is not one of ${(issue.values as unknown[]).map(String).join(', ')}`,
      });
      continue;
    }
    out.push({ path: formatPath(issue.path), message: issue.message });
  }
  return out;
}
