import { parser } from '@prometheus-io/lezer-promql';

/** One vector selector of a PromQL expression: its metric name and the label names it matches on. */
export interface PromqlSelector {
  metric: string;
  labels: string[];
}

/**
 * Parse with the PromQL grammar Prometheus' own UI uses; return every vector selector, or the first
 * syntax error. Tests use it to prove generated queries select only catalog series.
 */
export function promqlSelectors(expr: string): { selectors: PromqlSelector[]; error?: string } {
  const tree = parser.parse(expr);
  const selectors: PromqlSelector[] = [];
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined) {
        error = `syntax error at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.from + 20)}…`;
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        const labels = node.node
          .getChild('LabelMatchers')
          ?.getChildren('UnquotedLabelMatcher')
          .map((m) => {
            const name = m.getChild('LabelName');
            return name ? expr.slice(name.from, name.to) : '';
          });
        selectors.push({
          metric: identifier ? expr.slice(identifier.from, identifier.to) : '',
          labels: labels ?? [],
        });
      }
    },
  });
  return error === undefined ? { selectors } : { selectors, error };
}
