import { describe, expect, it } from 'vitest';
import { formatValue } from '../src/units.js';

describe('preview units', () => {
  it('formats like Grafana units', () => {
    expect(formatValue(0.0001, 's')).toBe('100 µs');
    expect(formatValue(0.1, 's')).toBe('100 ms');
    expect(formatValue(0.0025, 's')).toBe('2.5 ms');
    expect(formatValue(10, 's')).toBe('10 s');
    expect(formatValue(0.012, 'percentunit')).toBe('1.2 %');
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3 MiB');
    expect(formatValue(305, 'ops')).toBe('305/s');
    expect(formatValue(1500, 'short')).toBe('1.5 k');
  });
});
