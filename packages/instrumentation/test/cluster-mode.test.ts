import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  attributes,
  type ClusterAggregator,
  labelName,
  metricName,
  signalForSeries,
  type signals,
} from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';

/**
 * prom-client's cluster mode: two real node:cluster workers, each wrapping a handler and handling
 * its own number of events, and prom-client's AggregatorRegistry in the primary. Every aggregated
 * series must be the documented cluster value of the workers' series (the catalog's aggregator):
 * counters and histograms the sum, the heap limit one worker's, the start time the latest, RSS the
 * sum, heap used the fullest worker's. Before the catalog said so, every series was summed: the
 * heap limit, the start time and the loop-delay percentiles of two workers doubled.
 */

interface JsonValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}
interface JsonMetric {
  name: string;
  aggregator: string;
  values: JsonValue[];
}
interface ClusterRun {
  events: number[];
  snapshots: JsonMetric[][];
  aggregated: JsonMetric[];
  live: string;
}

const script = fileURLToPath(new URL('./support/cluster-primary.mjs', import.meta.url));

async function runCluster(): Promise<ClusterRun> {
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ClusterRun;
}

const keyOf = (v: JsonValue) =>
  `${v.metricName ?? ''}|${JSON.stringify(Object.entries(v.labels).sort(([a], [b]) => a.localeCompare(b)))}`;

const combine: Record<ClusterAggregator, (values: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
  average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  first: (v) => v[0]!,
};

/** The value of one series in one worker's snapshot (or the aggregate). */
function valueIn(metrics: JsonMetric[], family: string, key: string): number | undefined {
  return metrics.find((m) => m.name === family)?.values.find((v) => keyOf(v) === key)?.value;
}

describe('prom-client cluster mode (AggregatorRegistry, two workers)', () => {
  it('aggregates every eventscope series to its documented cluster value', async () => {
    const run = await runCluster();
    const ours = run.aggregated.filter((m) => signalForSeries(m.name) ?? signalForSeries(`${m.name}_bucket`));
    expect(ours.length).toBeGreaterThan(10);
    let checked = 0;
    for (const metric of ours) {
      const signal = (signalForSeries(metric.name) ?? signalForSeries(`${metric.name}_bucket`))!.signal;
      expect(metric.aggregator, metric.name).toBe(signal.aggregator);
      for (const value of metric.values) {
        const perWorker = run.snapshots.map((s) => valueIn(s, metric.name, keyOf(value)));
        const present = perWorker.filter((v): v is number => v !== undefined);
        expect(value.value, `${metric.name} ${keyOf(value)}`).toBe(combine[signal.aggregator](present));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);

    // The figures a reader checks by hand.
    const [one, two] = run.snapshots as [JsonMetric[], JsonMetric[]];
    const only = (metrics: JsonMetric[], key: keyof typeof signals) =>
      metrics.find((m) => m.name === metricName(key))!.values[0]!.value;
    expect(only(one, 'heapSizeLimit')).toBe(only(two, 'heapSizeLimit'));
    expect(only(run.aggregated, 'heapSizeLimit')).toBe(only(one, 'heapSizeLimit'));
    expect(only(run.aggregated, 'processStartTime')).toBe(
      Math.max(only(one, 'processStartTime'), only(two, 'processStartTime')),
    );
    expect(only(run.aggregated, 'memoryRss')).toBe(only(one, 'memoryRss') + only(two, 'memoryRss'));
  }, 90_000);

  it('serves, through clusterMetrics(), the sum of events and one heap limit', async () => {
    const run = await runCluster();
    const sample = (name: string, labels = '') => {
      const line = run.live.split('\n').find((l) => l.startsWith(`${name}${labels} `));
      return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const destination = `${labelName(attributes.destination)}="orders"`;
    const count = run.live
      .split('\n')
      .find((l) => l.startsWith(`${metricName('processDuration')}_count{`) && l.includes(destination));
    expect(Number(count?.split(' ').at(-1))).toBe(run.events[0]! + run.events[1]!);
    const limit = sample(metricName('heapSizeLimit'));
    const oneWorker = run.snapshots[0]!.find((m) => m.name === metricName('heapSizeLimit'))!.values[0]!.value;
    expect(limit).toBe(oneWorker); // summed, it was twice the limit of any process
    const started = sample(metricName('processStartTime'));
    expect(started).toBeGreaterThan(1.6e9);
    expect(started).toBeLessThan(Date.now() / 1000 + 1); // summed, it was a date in 2100
  }, 90_000);
});
