import { describe, expect, it } from 'vitest';
import {
  allSeriesNames,
  definitionUnder,
  emittedDefinitions,
  semconvEmission,
  signalForSeries,
  signalList,
  signals,
  successorDefinition,
} from '../src/index.js';

describe('OTEL_SEMCONV_STABILITY_OPT_IN, read as @opentelemetry/instrumentation reads it', () => {
  it('`<token>` is the new name only, `<token>/dup` both and wins, anything else the old name', () => {
    expect(semconvEmission(undefined, 'v8js')).toBe('old');
    expect(semconvEmission('', 'v8js')).toBe('old');
    expect(semconvEmission('http,database/dup', 'v8js')).toBe('old');
    expect(semconvEmission('v8js', 'v8js')).toBe('new');
    expect(semconvEmission(' http , V8JS ', 'v8js')).toBe('new');
    expect(semconvEmission('v8js/dup', 'v8js')).toBe('dup');
    expect(semconvEmission('v8js,v8js/dup', 'v8js')).toBe('dup');
    expect(semconvEmission('v8js/dup,v8js', 'v8js')).toBe('dup');
    expect(semconvEmission('v8jsx,xv8js/dup', 'v8js')).toBe('old');
  });
});

describe('successors', () => {
  const old = signals.heapSpaceSize;

  it('are recorded in the catalog, once, for the signals semconv renamed', () => {
    expect(signalList.filter((s) => s.successor).map((s) => [s.name, s.successor?.name])).toEqual([
      ['v8js.memory.heap.limit', 'v8js.memory.heap.space.size'],
    ]);
    const names = signalList.flatMap((s) => [s.name, ...(s.successor ? [s.successor.name] : [])]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('emit the old name, both or the new one, and the queries pick one of them', () => {
    const renamed = successorDefinition(old);
    expect(renamed).toBe(successorDefinition(old));
    expect(renamed).toMatchObject({ key: 'heapSpaceSize', name: 'v8js.memory.heap.space.size' });
    expect(renamed.successor).toBeUndefined();
    expect(emittedDefinitions(old, undefined)).toEqual([old]);
    expect(emittedDefinitions(old, 'v8js/dup')).toEqual([old, renamed]);
    expect(emittedDefinitions(old, 'v8js')).toEqual([renamed]);
    expect(emittedDefinitions(signals.heapUsed, 'v8js')).toEqual([signals.heapUsed]);
    expect(definitionUnder(old, 'old')).toBe(old);
    expect(definitionUnder(old, 'new')).toBe(renamed);
  });

  it('are known series names of the signal in both flavors', () => {
    expect(signalForSeries('v8js_memory_heap_space_size_bytes')?.signal.key).toBe('heapSpaceSize');
    expect(signalForSeries('v8js_memory_heap_space_size', 'otel')?.signal.key).toBe('heapSpaceSize');
    expect(allSeriesNames('otel').has('v8js_memory_heap_space_size')).toBe(true);
    expect(allSeriesNames('prometheus').has('v8js_memory_heap_limit_bytes')).toBe(true);
  });
});
