import { type ChildProcess, spawn } from 'node:child_process';
import { UnavailableError } from './errors.js';

/**
 * A server the CLI starts and must keep an eye on (the stack's Prometheus and Alertmanager): its
 * death is noticed the moment it happens and explained with its exit code or signal and its last
 * log lines, it is never taken for ready while it is dead, and it can be stopped from any exit
 * path, including a synchronous `process.on('exit')`.
 */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const LOG_LIMIT = 20_000;

export class SupervisedProcess {
  readonly process: ChildProcess;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ChildExit>;
  private log = '';
  private exit: ChildExit | undefined;
  private stopping = false;

  constructor(
    /** What the user calls it: "Prometheus", "Alertmanager". */
    readonly name: string,
    binary: string,
    args: readonly string[],
    /** Where it listens and the flag that moves it, for a message when the address is taken. */
    readonly listen?: { address: string; flag: string },
  ) {
    // Its own process group: a Ctrl-C in the terminal reaches the CLI, which stops its children
    // in order, instead of killing them under it (which would read as an unexpected death).
    this.process = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const append = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-LOG_LIMIT);
    };
    this.process.stdout?.on('data', append);
    this.process.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      // 'error' (the binary could not be spawned) comes without 'exit'.
      this.process.once('error', (error) => {
        append(Buffer.from(`${error.message}\n`));
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** True once `stop()` was called: an exit after it is expected, not a failure. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /** The last lines the process wrote, indented for an error message. */
  lastLines(count = 8): string {
    const lines = this.log.trim().split('\n').filter(Boolean).slice(-count);
    return lines.map((line) => `    ${line}`).join('\n');
  }

  /** "exited with code 1" / "was killed by SIGKILL". */
  describeExit(): string {
    if (!this.exit) return 'is running';
    if (this.exit.signal) return `was killed by ${this.exit.signal}`;
    if (this.exit.code === null) return 'could not be started';
    return `exited with code ${this.exit.code}`;
  }

  /** An error for the user: what died, how, and what it said last. */
  deathError(context: string): UnavailableError {
    if (this.listen && this.addressInUse) {
      return new UnavailableError(
        `${this.name} could not listen on ${this.listen.address}: another process has taken it; pass ${this.listen.flag} with a free port\n${this.lastLines(3)}`,
      );
    }
    const lines = this.lastLines();
    return new UnavailableError(
      `${this.name} ${this.describeExit()} ${context}${lines ? `; its last log lines:\n${lines}` : ' (it wrote nothing)'}`,
    );
  }

  /** Whether the process reported that its listen address is taken. */
  get addressInUse(): boolean {
    return /address already in use/i.test(this.log);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (!this.alive) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** For `process.on('exit')`, where nothing asynchronous runs: kill it outright. */
  killNow(): void {
    this.stopping = true;
    if (this.alive) this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.process.kill(signal);
    } catch {}
  }

  /**
   * Poll until `probe` says the process serves, while it is alive. Its own exit wins over any
   * answer on its port: a probe that succeeds after (or while) our process died was answered by
   * someone else. `probe` returns 'ready', 'not-ready' or 'foreign' (something answers, and it is
   * not this process).
   */
  async waitReady(
    probe: () => Promise<'ready' | 'not-ready' | 'foreign'>,
    what: { url: string; timeoutMs?: number; abort?: AbortSignal; foreign: () => UnavailableError },
  ): Promise<void> {
    const deadline = Date.now() + (what.timeoutMs ?? 30_000);
    let foreign = false;
    while (Date.now() < deadline) {
      if (!this.alive || what.abort?.aborted) break;
      const state = await probe().catch(() => 'not-ready' as const);
      // Give an exit that races the answer a moment to be delivered, then let it win.
      await new Promise((r) => setImmediate(r));
      if (!this.alive) break;
      if (state === 'ready') return;
      if (state === 'foreign') foreign = true;
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 200))]);
    }
    if (what.abort?.aborted) return;
    if (!this.alive) throw this.deathError(`while starting, before it served ${what.url}`);
    if (foreign) throw what.foreign();
    throw new UnavailableError(
      `${this.name} did not become ready at ${what.url} within ${Math.round((what.timeoutMs ?? 30_000) / 1000)} s; its last log lines:\n${this.lastLines()}`,
    );
  }
}
