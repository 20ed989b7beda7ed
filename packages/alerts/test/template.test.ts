import { describe, expect, it } from 'vitest';
import { humanize, humanizeDuration, humanizePercentage, renderTemplate } from '../src/template.js';

/** The annotations in the generated promtool tests are only right if we format values as Prometheus does. */
describe('Prometheus template functions', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [2.002, '2.002'],
    [10.000000000000002, '10'],
    [1234, '1.234k'],
    [1_500_000, '1.5M'],
    [0.25, '250m'],
    [0.0001, '100u'],
    [123456789012, '123.5G'],
  ])('humanize(%s) = %s', (value, text) => expect(humanize(value)).toBe(text));

  it.each([
    [0.1, '10%'],
    [0.95, '95%'],
    [0.012500000000000001, '1.25%'],
    [1.5, '150%'],
  ])('humanizePercentage(%s) = %s', (value, text) => expect(humanizePercentage(value)).toBe(text));

  it.each([
    [0, '0s'],
    [0.2, '200ms'],
    [0.2485, '248.5ms'],
    [1.5, '1.5s'],
    [180, '3m 0s'],
    [3725, '1h 2m 5s'],
    [90061, '1d 1h 1m 1s'],
  ])('humanizeDuration(%s) = %s', (value, text) => expect(humanizeDuration(value)).toBe(text));

  it('renders labels and values, and refuses what it cannot render exactly', () => {
    expect(
      renderTemplate('{{ $labels.job }} at {{ $value | humanizePercentage }}', { job: 'billing' }, 0.5),
    ).toBe('billing at 50%');
    expect(() => renderTemplate('{{ $value }}', {}, 1)).toThrow(/not supported/);
  });
});
