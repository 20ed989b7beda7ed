import { describe, expect, it } from 'vitest';
import { parseRunOptions, UsageError, usage } from '../src/command-line.js';

const brokerFlags = { url: { default: 'nats://127.0.0.1:4222', help: 'server' } };

describe('the examples’ command line', () => {
  it('defaults to 1000 orders at 200/s on port 9464 and takes the broker flags', () => {
    const options = parseRunOptions([], brokerFlags);
    expect(options).toMatchObject({
      count: 1000,
      durationSeconds: 0,
      rate: 200,
      port: 9464,
      lingerSeconds: 0,
      broker: { url: 'nats://127.0.0.1:4222' },
    });
    expect(parseRunOptions(['--url', 'nats://10.0.0.1:4222'], brokerFlags)?.broker.url).toBe(
      'nats://10.0.0.1:4222',
    );
  });

  it('--duration alone lifts the count limit; with --count both apply', () => {
    expect(parseRunOptions(['--duration', '60'], brokerFlags)?.count).toBe(Number.POSITIVE_INFINITY);
    expect(parseRunOptions(['--duration', '60', '--count', '5'], brokerFlags)).toMatchObject({
      count: 5,
      durationSeconds: 60,
    });
  });

  it('accepts the `--` pnpm hands through, and --help', () => {
    expect(parseRunOptions(['--', '--count', '7'], brokerFlags)?.count).toBe(7);
    expect(parseRunOptions(['--help'], brokerFlags)).toBeUndefined();
    expect(usage('node dist/main.js', brokerFlags)).toMatch(/--url URL +server \(default nats:/);
  });

  it('says which flag is wrong and why', () => {
    const wrong = (args: string[]) => () => parseRunOptions(args, brokerFlags);
    expect(wrong(['--count', '0'])).toThrow(
      new UsageError('--count must be a positive whole number, got "0"'),
    );
    expect(wrong(['--count', '2.5'])).toThrow(/--count must be a positive whole number/);
    expect(wrong(['--rate', 'fast'])).toThrow(/--rate must be a number of orders per second, got "fast"/);
    expect(wrong(['--port', '70000'])).toThrow(/--port must be 0..65535/);
    expect(wrong(['--linger=-1'])).toThrow(/--linger must be a number of seconds/);
    expect(wrong(['--nope'])).toThrow(UsageError);
  });

  it('refuses a broker flag its broker cannot take, in the same words', () => {
    const withPrefetch = {
      ...brokerFlags,
      prefetch: {
        default: '50',
        help: 'deliveries at a time',
        mustBe: { what: 'a positive whole number', test: (n: string) => Number(n) > 0 },
      },
    };
    expect(parseRunOptions(['--prefetch', '10'], withPrefetch)?.broker.prefetch).toBe('10');
    expect(() => parseRunOptions(['--prefetch', '0'], withPrefetch)).toThrow(
      new UsageError('--prefetch must be a positive whole number, got "0"'),
    );
  });

  it('gives every run its own order-id prefix', () => {
    expect(parseRunOptions([], brokerFlags)?.run).not.toBe(parseRunOptions([], brokerFlags)?.run);
  });
});
