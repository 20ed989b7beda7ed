import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  /** The value as Prometheus reads it (unquoted, escapes resolved). */
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/**
 * Every vector selector of a PromQL expression with its matchers, parsed with the grammar
 * Prometheus' own UI uses. Throws on a syntax error. Grafana's built-in intervals are replaced
 * first; other variables stay, as they only appear inside label values (`job=~"$job"` parses).
 */
export function selectorsOf(grafanaExpr: string): Selector[] {
  const expr = grafanaExpr.replace(/\$__(rate_interval|range|interval)\b/g, '1m');
  const text = (node: { from: number; to: number }) => expr.slice(node.from, node.to);
  const out: Selector[] = [];
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.type.isError) throw new Error(`syntax error at ${ref.from}: ${expr}`);
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const identifier = node.getChild('Identifier');
      const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map(
        (m): Matcher => {
          const literal = text(m.getChild('StringLiteral')!);
          return {
            label: text(m.getChild('LabelName')!),
            op: text(m.getChild('MatchOp')!) as Matcher['op'],
            value: JSON.parse(literal.startsWith('"') ? literal : `"${literal.slice(1, -1)}"`),
          };
        },
      );
      out.push({ metric: identifier ? text(identifier) : '', matchers });
    },
  });
  return out;
}

/** The selector inside a Grafana `label_values(selector, label)` variable query, and the label. */
export function labelValuesQuery(query: string): { selector: Selector; label: string } {
  const match = /^label_values\((.+), ([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query);
  if (!match) throw new Error(`not a label_values query: ${query}`);
  const [selector] = selectorsOf(match[1]!);
  if (!selector) throw new Error(`no selector in ${query}`);
  return { selector, label: match[2]! };
}

/** Whether a matcher admits a label value, as Prometheus matches it (regexes are anchored). */
export function admits(matcher: Matcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}
