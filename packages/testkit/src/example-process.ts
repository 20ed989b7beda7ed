import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './process.js';

/**
 * A runnable example (or any command-line program) as a test sees it: the lines it prints, the
 * time it exits and with what. Examples stop by themselves; `stop()` is for the test's cleanup.
 */
export interface ExampleRun {
  child: ChildProcess;
  /** Lines printed on stdout so far. */
  lines: string[];
  /** Everything printed on stdout and stderr, for failure messages. */
  output: () => string;
  /** The first stdout line matching the pattern (waiting for it), as a match. */
  waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop: () => Promise<void>;
}

/** Start `node script ...args` with the test's Node binary. */
export function runExample(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ExampleRun {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let log = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    log += text;
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  return {
    child,
    lines,
    output: () => log,
    waitForLine: (pattern, timeoutMs = 30_000) =>
      waitFor(
        () => {
          for (const line of lines) {
            const match = pattern.exec(line);
            if (match) return match;
          }
          if (hasExited) throw new Error(`exited before printing ${pattern}:\n${log}`);
          return undefined;
        },
        { timeoutMs, intervalMs: 50, what: `a line matching ${pattern}` },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- output ---\n${log}`);
      }),
    exited,
    stop: async () => {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** How a program ended, and everything it printed. */
export interface ExampleExit {
  exit: { code: number | null; signal: NodeJS.Signals | null };
  output: string;
}

/**
 * Runs `node script ...args` to its end, for programs that stop by themselves (bad input, an
 * unreachable server). One still running after `timeoutMs` is stopped and reported as such.
 */
export async function runToExit(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ExampleExit> {
  const run = runExample(script, args, options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const exit = await Promise.race([run.exited, timedOut]);
    if (exit === 'timeout') {
      await run.stop();
      throw new Error(`still running after ${timeoutMs} ms: ${script} ${args.join(' ')}\n${run.output()}`);
    }
    return { exit, output: run.output() };
  } finally {
    clearTimeout(timer);
  }
}
