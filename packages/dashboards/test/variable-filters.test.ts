import { attributes, attributeValues, labelName, signalForSeries } from '@eventscope/catalog';
import { type ResolvedConfig, resolveConfig } from '@eventscope/config';
import { describe, expect, it } from 'vitest';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';
import { configSets } from './fixtures.js';
import { admits, type Selector, selectorsOf } from './selectors.js';

/**
 * A variable filter on a label some selected series lack empties the panel as soon as someone
 * picks a value. The catalog says which labels a signal can carry; what it cannot say is that
 * producers record `clientOperationDuration` (their send calls) without a consumer group, while
 * consumers record it (receive, settle) with one. So here, a selector of that signal carries the
 * consumer group only when every operation type it admits is a consumer's.
 */
const consumerGroup = labelName(attributes.consumerGroup);
const operationType = labelName(attributes.operationType);
const producerOperations = new Set(['create', 'send']);

/** Labels every series a selector can select carries. */
function labelsCarriedByAll(selector: Selector, config: ResolvedConfig): Set<string> {
  const found = signalForSeries(selector.metric, config.flavor);
  if (!found) throw new Error(`${selector.metric} is not in the catalog`);
  const carried = new Set([
    ...found.signal.labels.map(labelName),
    ...config.targetLabels,
    ...(found.part === 'bucket' ? ['le'] : []),
  ]);
  if (found.signal.key === 'clientOperationDuration') {
    const typeMatchers = selector.matchers.filter((m) => m.label === operationType);
    const admitted = attributeValues[attributes.operationType].filter((type) =>
      typeMatchers.every((m) => admits(m, type)),
    );
    if (admitted.some((type) => producerOperations.has(type))) carried.delete(consumerGroup);
  }
  return carried;
}

/** Matchers on a Grafana variable (`label=~"$var"`) whose label not every selected series carries. */
function filtersOnMissingLabels(expr: string, config: ResolvedConfig): string[] {
  return selectorsOf(expr).flatMap((selector) => {
    if (!signalForSeries(selector.metric, config.flavor)) return [];
    const carried = labelsCarriedByAll(selector, config);
    return selector.matchers
      .filter((m) => m.value.includes('$') && !carried.has(m.label))
      .map((m) => `${selector.metric} filters ${m.label}${m.op}"${m.value}"`);
  });
}

describe('variable filters', () => {
  it('the check flags a send-side selector filtered on the consumer group (it is not vacuous)', () => {
    const config = resolveConfig();
    const bucket = 'messaging_client_operation_duration_seconds_bucket';
    const group = `${consumerGroup}=~"$consumer_group"`;
    expect(filtersOnMissingLabels(`sum(rate(${bucket}{${group}}[1m]))`, config)).toHaveLength(1);
    expect(
      filtersOnMissingLabels(`sum(rate(${bucket}{${operationType}="send", ${group}}[1m]))`, config),
    ).toHaveLength(1);
    expect(
      filtersOnMissingLabels(`sum(rate(${bucket}{${operationType}="settle", ${group}}[1m]))`, config),
    ).toEqual([]);
    expect(
      filtersOnMissingLabels(`sum(rate(messaging_client_sent_messages_total{${group}}[1m]))`, config),
    ).toHaveLength(1);
  });

  for (const { name, config } of configSets) {
    it(`every panel filters each variable only on labels all its selected series carry: ${name}`, () => {
      const resolved = resolveConfig(config);
      const wrong: string[] = [];
      let filtered = 0;
      for (const { dashboard } of generateDashboards(resolved)) {
        for (const query of panelQueries(dashboard)) {
          filtered += (query.expr.match(/=~"\$/g) ?? []).length;
          for (const problem of filtersOnMissingLabels(query.expr, resolved)) {
            wrong.push(`${dashboard.uid} / ${query.title}: ${problem}`);
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(filtered).toBeGreaterThan(200);
    });
  }

  it('send-side panels keep their data when a consumer group is chosen', () => {
    const drill = generateDashboards()[3]!.dashboard;
    const send = panelQueries(drill).filter((q) => /Send latency|Sent and consumed/.test(q.title));
    expect(send.map((q) => q.legend)).toEqual(['sent', 'consumed', 'send p99']);
    for (const query of send.filter((q) => q.legend !== 'consumed')) {
      expect(query.expr).not.toContain('$consumer_group');
    }
  });
});
