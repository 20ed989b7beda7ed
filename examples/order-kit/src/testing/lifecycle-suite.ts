import { freePort, runToExit } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { runUntilDone } from './order-runs.js';

/** What the shared lifecycle tests need to know about one broker example. */
export interface OrderExampleUnderTest {
  /** As the test titles name it, e.g. `NATS JetStream example`. */
  name: string;
  /** The built `dist/main.js`. */
  main: string;
  /** Whether its broker is listening (from testkit's `needService`). */
  brokerAvailable: boolean;
  /** Broker flags that give a run names of its own (stream, queue, topic). */
  ownNames: () => string[];
  /** `--url` of a server nothing listens on, at the given port. */
  unreachableUrl: (port: number) => string;
  /** What the example prints when it cannot reach that server. */
  unreachableMessage: RegExp;
}

/**
 * The behaviour every broker example shares, tested the same way for each: SIGTERM mid-run
 * stops cleanly; a bad flag exits 2 with the usage; an unreachable broker exits 1 with a hint.
 */
export function describeOrderExampleLifecycle(example: OrderExampleUnderTest): void {
  describe.skipIf(!example.brokerAvailable)(`${example.name}: stopping`, () => {
    it('SIGTERM mid-run stops sending, bills what was sent and exits 0', async () => {
      const run = await runUntilDone(
        example.main,
        ['--count', '1000000', '--rate', '100', ...example.ownNames()],
        {
          sigtermAfterFirstOrders: true,
        },
      );
      expect(run.sent).toBeGreaterThan(0);
      expect(run.billed).toBe(run.sent);
      expect(run.exit).toEqual({ code: 0, signal: null });
    });
  });

  describe(`${example.name}: bad input`, () => {
    it('an unknown flag prints the usage and exits 2', async () => {
      const { exit, output } = await runToExit(example.main, ['--bogus']);
      expect(exit).toEqual({ code: 2, signal: null });
      expect(output).toMatch(/Unknown option '--bogus'[\s\S]*usage: /);
    });

    it('an unreachable server says what to start and exits 1', async () => {
      const url = example.unreachableUrl(await freePort());
      const { exit, output } = await runToExit(example.main, ['--port', '0', '--url', url]);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(output).toMatch(example.unreachableMessage);
    });
  });
}
