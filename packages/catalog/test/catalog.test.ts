import { describe, expect, it } from 'vitest';
import {
  allSeriesNames,
  labelName,
  metricName,
  renderSignalTable,
  replaceSignalBlock,
  SIGNALS_BEGIN,
  SIGNALS_END,
  signalForSeries,
  signalList,
  signals,
} from '../src/index.js';

describe('signal catalog', () => {
  it('declares each OpenTelemetry name once, with a key matching its entry', () => {
    const names = signalList.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [key, def] of Object.entries(signals)) expect(def.key).toBe(key);
  });

  it('gives every histogram strictly increasing, positive buckets and nothing else buckets', () => {
    for (const def of signalList) {
      if (def.kind !== 'histogram') {
        expect(def.buckets, def.name).toBeUndefined();
        continue;
      }
      const buckets = def.buckets ?? [];
      expect(buckets.length, def.name).toBeGreaterThan(3);
      for (let i = 0; i < buckets.length; i++) {
        expect(buckets[i]!, def.name).toBeGreaterThan(i === 0 ? 0 : buckets[i - 1]!);
      }
    }
  });

  it('starts GC buckets at 0.1 ms, since minor GCs are sub-millisecond', () => {
    expect(signals.gcDuration.buckets[0]).toBe(0.0001);
  });

  it('produces valid, distinct Prometheus names in both flavors', () => {
    for (const flavor of ['prometheus', 'otel'] as const) {
      const names = signalList.map((s) => metricName(s, flavor));
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      for (const def of signalList)
        for (const l of def.labels) expect(labelName(l)).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
    }
  });

  it('follows the documented naming per flavor', () => {
    expect(metricName('processDuration', 'prometheus')).toBe('messaging_process_duration_seconds');
    expect(metricName('processDuration', 'otel')).toBe('messaging_process_duration');
    expect(metricName('consumedMessages', 'prometheus')).toBe('messaging_client_consumed_messages_total');
    expect(metricName('loopTime', 'prometheus')).toBe('nodejs_eventloop_time_seconds_total');
    expect(metricName('loopDelay', 'prometheus')).toBe('eventscope_eventloop_delay_seconds');
    expect(metricName('cpuTime', 'prometheus')).toBe('process_cpu_time_seconds_total');
    expect(metricName('cpuTime', 'otel')).toBe('process_cpu_time_total');
    expect(metricName('heapUsed', 'prometheus')).toBe('v8js_memory_heap_used_bytes');
    expect(metricName('gcOverlap', 'prometheus')).toBe('eventscope_gc_overlap_duration_seconds_total');
    expect(labelName('messaging.destination.name')).toBe('messaging_destination_name');
  });

  it('sums counters, histograms and up-down counters across cluster workers; each gauge chooses and says why', () => {
    for (const def of signalList) {
      if (def.kind === 'gauge') expect(def.aggregatorReason, def.name).toBeTruthy();
      else expect(def.aggregator, def.name).toBe('sum');
    }
    expect(signals.heapSizeLimit.aggregator).toBe('first');
    expect(signals.processStartTime.aggregator).toBe('max');
    expect(signals.memoryRss.aggregator).toBe('sum');
    expect(renderSignalTable()).toContain('| first: a per-process constant');
  });

  it('keeps no per-collection loop gauge: the loop is measured by cumulative signals only', () => {
    // A value reset at each collection is split between two scrapers (an HA pair); these are not.
    const loop = signalList.filter(
      (def) => def.name.startsWith('nodejs.eventloop') || def.key.startsWith('loop'),
    );
    expect(loop.map((def) => [def.key, def.kind])).toEqual([
      ['loopTime', 'counter'],
      ['loopDelay', 'histogram'],
    ]);
  });

  it('maps every series name back to its signal', () => {
    for (const flavor of ['prometheus', 'otel'] as const) {
      for (const series of allSeriesNames(flavor))
        expect(signalForSeries(series, flavor), series).toBeDefined();
    }
    expect(signalForSeries('messaging_process_duration_seconds_bucket')?.part).toBe('bucket');
    expect(signalForSeries('http_requests_total')).toBeUndefined();
  });

  it('renders a README table with one row per signal and replaces only the marked block', () => {
    const table = renderSignalTable();
    expect(table.split('\n')).toHaveLength(signalList.length + 2);
    const readme = `# x\n\n${SIGNALS_BEGIN}\nSTALE-ROW\n${SIGNALS_END}\n\ntail\n`;
    const next = replaceSignalBlock(readme, table);
    expect(next).toContain('`messaging_process_duration_seconds`');
    expect(next).not.toContain('STALE-ROW');
    expect(next.endsWith(`${SIGNALS_END}\n\ntail\n`)).toBe(true);
    expect(() => replaceSignalBlock('# no markers', table)).toThrow(/no generated signal block/);
  });
});
