import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { SendPlan } from './send-orders.js';

/**
 * The flags every broker example shares: how many orders, how fast, where /metrics listens and
 * how long it stays up at the end; plus the broker's own flags (its URL and names).
 */
export interface RunOptions<Flag extends string = string> extends SendPlan {
  /** /metrics port; 0 picks a free one. */
  port: number;
  /** Seconds /metrics stays up after the last order is billed (so a last scrape sees the totals). */
  lingerSeconds: number;
  /** The broker's own flags, by name. */
  broker: Record<Flag, string>;
}

/** One of a broker's own flags: `--NAME VALUE`. */
export interface BrokerFlag {
  default: string;
  help: string;
  /** A value the broker cannot take, refused as a usage error before anything starts. */
  mustBe?: { what: string; test: (value: string) => boolean };
}

const shared: [flag: string, help: string][] = [
  ['--count N', 'orders to send (default 1000; no limit when only --duration is given)'],
  ['--duration S', 'stop sending after S seconds (default: no time limit)'],
  ['--rate N', 'orders per second (default 200; 0: as fast as the broker accepts them)'],
  ['--port N', '/metrics port on 127.0.0.1 (default 9464; 0 picks a free one)'],
  ['--linger S', 'keep /metrics up S seconds after the last order is billed (default 0)'],
];

/** The usage text of an example. */
export function usage(command: string, brokerFlags: Readonly<Record<string, BrokerFlag>>): string {
  const own = Object.entries<BrokerFlag>(brokerFlags).map(([name, flag]): [string, string] => [
    `--${name} ${name.toUpperCase()}`,
    `${flag.help} (default ${flag.default})`,
  ]);
  const rows: [string, string][] = [...shared, ...own, ['--help', 'this text']];
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `usage: ${command} [options]`,
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
  ].join('\n');
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function number(name: string, text: string, check: (n: number) => boolean, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new UsageError(`--${name} must be ${what}, got "${text}"`);
  }
  return value;
}

/** Parses the command line; `undefined` means --help was asked for. Throws UsageError. */
export function parseRunOptions<Flag extends string>(
  argv: readonly string[],
  brokerFlags: Readonly<Record<Flag, BrokerFlag>>,
): RunOptions<Flag> | undefined {
  const own = Object.entries<BrokerFlag>(brokerFlags) as [Flag, BrokerFlag][];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm start -- --count 5` hands the `--` through; npm's habit, so accept it.
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      options: {
        count: { type: 'string' },
        duration: { type: 'string', default: '0' },
        rate: { type: 'string', default: '200' },
        port: { type: 'string', default: '9464' },
        linger: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(own.map(([name, flag]) => [name, { type: 'string', default: flag.default }])),
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const text = (name: string) => String(values[name]);
  const durationSeconds = number('duration', text('duration'), (n) => n >= 0, 'a number of seconds');
  const count =
    values.count === undefined
      ? durationSeconds > 0
        ? Number.POSITIVE_INFINITY
        : 1000
      : number('count', text('count'), (n) => Number.isInteger(n) && n > 0, 'a positive whole number');
  return {
    count,
    durationSeconds,
    rate: number('rate', text('rate'), (n) => n >= 0, 'a number of orders per second'),
    port: number('port', text('port'), (n) => Number.isInteger(n) && n >= 0 && n <= 65535, '0..65535'),
    lingerSeconds: number('linger', text('linger'), (n) => n >= 0, 'a number of seconds'),
    run: `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
    broker: Object.fromEntries(
      own.map(([name, flag]) => {
        const value = text(name);
        if (flag.mustBe && !flag.mustBe.test(value)) {
          throw new UsageError(`--${name} must be ${flag.mustBe.what}, got "${value}"`);
        }
        return [name, value];
      }),
    ) as Record<Flag, string>,
  };
}
