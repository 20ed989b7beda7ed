/**
 * Selectors have one meaning everywhere: a plain value is an equality matcher; a value that
 * starts with an operator and a quoted string is that matcher, as PromQL writes it.
 *
 *   namespace: shop            → namespace="shop"
 *   namespace: '=~"prod-.*"'   → namespace=~"prod-.*"
 *   track: '!="canary"'        → track!="canary"
 */

const MATCHER = /^(=~|!=|!~|=)"((?:[^"\\]|\\.)*)"$/;
const LOOKS_LIKE_MATCHER = /^(=~|!=|!~|=)/;

/** A PromQL string literal. */
export const quote = (value: string) => JSON.stringify(value);

/** Whether a selector value has one meaning: a plain value, or an operator with a quoted value. */
export function isSelectorValue(value: string): boolean {
  return MATCHER.test(value) || !LOOKS_LIKE_MATCHER.test(value);
}

/** The PromQL matcher a selector stands for (`label="value"` or the matcher as written). */
export function selectorMatcher(label: string, value: string): string {
  const written = MATCHER.exec(value);
  if (written) return `${label}${written[1]}"${written[2]}"`;
  if (LOOKS_LIKE_MATCHER.test(value)) {
    throw new Error(`selector ${label}: ${quote(value)} is an operator without a quoted value`);
  }
  return `${label}=${quote(value)}`;
}

/** The label value a selector pins, when it is an equality matcher; undefined for a regex or negation. */
export function selectorEquality(value: string): string | undefined {
  const written = MATCHER.exec(value);
  if (!written) return value;
  return written[1] === '=' ? JSON.parse(`"${written[2]}"`) : undefined;
}
