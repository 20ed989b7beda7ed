import { ConfigError, type ResolvedConfig } from '@eventscope/config';

/**
 * The label values the synthetic series of the generated promtool tests give the configured
 * selectors' labels. Every rule selects only series its selectors match, so a test series must
 * carry each selector's label with a value the matcher selects: the value itself for equality,
 * a value the regex matches for `=~`, a value other than the excluded one for `!=` and `!~`.
 */

type Operator = '=' | '!=' | '=~' | '!~';

/** One configured selector as a matcher, and the value test series carry for its label. */
export interface SelectorValue {
  readonly label: string;
  readonly operator: Operator;
  /** The matched value or regex, unquoted. */
  readonly operand: string;
  readonly value: string;
}

const MATCHER = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!=|!~|=)"((?:[^"\\]|\\.)*)"$/;

/** Whether `value` matches `regex` as Prometheus matches label values: anchored at both ends. */
function fullMatch(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(value);
}

/** Whether a matcher selects a series whose label has this value. */
export function selects(selector: Omit<SelectorValue, 'value'>, value: string): boolean {
  switch (selector.operator) {
    case '=':
      return value === selector.operand;
    case '!=':
      return value !== selector.operand;
    case '=~':
      return fullMatch(selector.operand, value);
    case '!~':
      return !fullMatch(selector.operand, value);
  }
}

/**
 * A string a simple regex matches, by a simple rule: the first alternative (of the whole and of
 * each group), `.*` and `.?` left out, `.+` as `x`, a digit class as `0`, escapes unescaped.
 * `prod-.*` → `prod-`, `(eu|us)-west-\d+` → `eu-west-0`.
 */
function exampleOf(regex: string): string {
  const firstOf = (alternatives: string) => alternatives.split('|')[0] ?? '';
  let text = regex;
  for (let group = /\(([^()]*)\)/.exec(text); group; group = /\(([^()]*)\)/.exec(text)) {
    text = text.replace(group[0], firstOf(group[1]!.replace(/^\?:/, '')));
  }
  return firstOf(text)
    .replace(/^\^|\$$/g, '')
    .replace(/\.[*?]/g, '')
    .replace(/\.\+/g, 'x')
    .replace(/(\\d|\[0-9\])[+*?]?/g, '0')
    .replace(/\\(.)/g, '$1');
}

/** Values tried, in order, for a matcher that excludes values. */
const NEUTRAL = ['eventscope-test', 'other', 'x', '0'];

function candidatesFor(operator: Operator, operand: string): string[] {
  switch (operator) {
    case '=':
      return [operand];
    case '=~':
      return [exampleOf(operand)];
    case '!=':
    case '!~':
      return NEUTRAL;
  }
}

/** PromQL's string escapes (`\\`, `\"`) undone, so the operand is the value or regex Prometheus sees. */
function unquote(written: string): string {
  try {
    return JSON.parse(`"${written}"`);
  } catch {
    return written;
  }
}

/**
 * Every configured selector with the value test series carry for its label. Throws a
 * ConfigError naming the selector when no value can be derived (a regex the simple rule cannot
 * satisfy, or a negation that excludes every candidate), since the generated tests would fail.
 */
export function selectorValues(config: ResolvedConfig): SelectorValue[] {
  const issues: { path: string; message: string }[] = [];
  const out: SelectorValue[] = [];
  for (const matcher of config.matchers) {
    const parsed = MATCHER.exec(matcher);
    if (!parsed) throw new Error(`not a selector matcher: ${matcher}`);
    const selector = { label: parsed[1]!, operator: parsed[2] as Operator, operand: unquote(parsed[3]!) };
    let value: string | undefined;
    try {
      value = candidatesFor(selector.operator, selector.operand).find((c) => selects(selector, c));
    } catch (error) {
      issues.push({
        path: `selectors.${selector.label}`,
        message: `${matcher} is not a regex this generator can read (${error instanceof Error ? error.message : String(error)})`,
      });
      continue;
    }
    if (value === undefined) {
      issues.push({
        path: `selectors.${selector.label}`,
        message:
          selector.operator === '=~'
            ? `the generated promtool tests need a ${selector.label} value that ${matcher} selects, and none follows from it by the simple rule (first alternative, .* left out, .+ as x): write a simpler regex, or an equality`
            : `${matcher} excludes every value the generated promtool tests try (${NEUTRAL.join(', ')}); does it select anything?`,
      });
      continue;
    }
    out.push({ ...selector, value });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}
