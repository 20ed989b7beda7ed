import { spawn } from 'node:child_process';
import { delimiter, dirname, resolve } from 'node:path';

/**
 * The environment of a user's shell, not of this test run: no npm_* / pnpm settings a workspace
 * script would inherit (npm would read them as its own config), no NODE_OPTIONS or NODE_PATH, and
 * no PATH entry inside the checkout except the folder of the Node binary running the tests — so
 * `npx eventscope` can only find the copy npm installed into the app.
 */
export function userEnvironment(repo: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') || lower.startsWith('pnpm') || lower.startsWith('vitest')) continue;
    if (key === 'NODE_OPTIONS' || key === 'NODE_PATH' || key === 'NODE_ENV' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  const nodeDir = dirname(process.execPath);
  const inRepo = (dir: string) => resolve(dir).startsWith(`${resolve(repo)}/`);
  env.PATH = [
    nodeDir,
    ...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir && dir !== nodeDir && !inRepo(dir)),
  ].join(delimiter);
  return env;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface AppProcess {
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process ends first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  finished: Promise<Finished>;
  /** SIGTERM, SIGKILL after 10 s; resolves once it has ended. */
  stop(): Promise<Finished>;
}

/** Start a command in the app folder; killed after `timeoutMs` whatever it is doing. */
export function startInApp(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): AppProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const finished = new Promise<Finished>((resolveFinished) => {
    child.once('close', (code, signal) => {
      clearTimeout(deadline);
      for (const listener of listeners) listener();
      resolveFinished({ code, signal, stdout, stderr });
    });
  });
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    finished,
    waitForOutput: (pattern, timeoutMs) =>
      new Promise((resolveMatch, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) {
            done();
            resolveMatch(match);
          } else if (ended()) {
            done();
            reject(
              new Error(
                `${command} ${args.join(' ')} ended without printing ${pattern}:\n${stdout}\n${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `${command} ${args.join(' ')} printed no ${pattern} in ${timeoutMs} ms:\n${stdout}\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      if (!ended()) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await finished;
      clearTimeout(kill);
      return result;
    },
  };
}

/** Run a command in the app folder to its end. */
export function runInApp(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Finished> {
  return startInApp(command, args, options).finished;
}
