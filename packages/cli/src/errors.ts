import { PrometheusQueryError, PrometheusUnavailableError } from '@eventscope/config/prometheus-client';

/**
 * Exit codes mean something: scripts and CI branch on them.
 *   0  done
 *   1  the command ran and found a problem (a failed check, an alert that did not validate)
 *   2  the command was used wrongly (unknown flag, bad value, missing or invalid config)
 *   3  something the command needs is unavailable (Prometheus unreachable, a binary missing, a port taken)
 */
export const exitCodes = { ok: 0, problem: 1, usage: 2, unavailable: 3 } as const;

/** An error the user can fix by changing the command line or the config; exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = exitCodes.usage;
}

/** Something the command depends on is missing or unreachable; exit 3. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  readonly exitCode = exitCodes.unavailable;
}

/** The command ran and its verdict is negative; exit 1. */
export class ProblemFound extends Error {
  override name = 'ProblemFound';
  readonly exitCode = exitCodes.problem;
}

/**
 * The exit code an error stands for. The Prometheus client's errors keep their own classes (they
 * are not the CLI's): unreachable is "unavailable", a refused query "usage".
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof PrometheusUnavailableError) return exitCodes.unavailable;
  if (error instanceof PrometheusQueryError) return exitCodes.usage;
  if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
    return error.exitCode;
  }
  return exitCodes.problem;
}
