import { type BrokerFlag, parseRunOptions, type RunOptions, UsageError, usage } from './command-line.js';
import { type OrderFlow, runOrderFlow } from './run.js';

/** What makes a broker example: its name, its own flags, how to connect, what to say when it cannot. */
export interface OrderExample<Flag extends string> {
  /** First words of the first line printed, e.g. `eventscope NATS JetStream example`. */
  title: string;
  /** The broker's own flags (URL, names), beside the shared ones. */
  brokerFlags: Readonly<Record<Flag, BrokerFlag>>;
  /** Connects, creates what the flow needs on the broker and starts consuming. */
  start: (broker: Record<Flag, string>, options: RunOptions<Flag>) => Promise<OrderFlow>;
  /** What to check or start when the broker cannot be reached. */
  brokerHint: (broker: Record<Flag, string>) => string;
}

/** How the examples are run from their folder (`pnpm start` runs the same after building). */
const command = 'node dist/main.js';

/**
 * A broker example's whole command line: --help prints the usage; a bad flag prints what was
 * wrong and the usage, exit code 2; otherwise the run's exit code (0: every order billed, 1: the
 * broker unreachable or billing behind).
 */
export async function runOrderExample<Flag extends string>(
  example: OrderExample<Flag>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<number> {
  let options: RunOptions<Flag> | undefined;
  try {
    options = parseRunOptions(argv, example.brokerFlags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${usage(command, example.brokerFlags)}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${usage(command, example.brokerFlags)}\n`);
    return 0;
  }
  const settled = options;
  return runOrderFlow(
    example.title,
    settled,
    () => example.start(settled.broker, settled),
    example.brokerHint(settled.broker),
  );
}
