import { accessSync, appendFileSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * Integration tests use the real thing. Locally a missing binary or broker skips them; in CI
 * (CI=true or EVENTSCOPE_REQUIRE_INTEGRATION=1) it fails them, so a green run always means the
 * integration tests ran.
 */
export function integrationRequired(): boolean {
  return process.env.EVENTSCOPE_REQUIRE_INTEGRATION === '1' || process.env.CI === 'true';
}

/** Absolute path of an executable on PATH (or in /usr/sbin, /sbin), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export class MissingComponentError extends Error {
  override name = 'MissingComponentError';
}

/**
 * The path of a binary the test needs. Missing: undefined locally (the caller skips), an error
 * when integration is required.
 */
export function needBinary(name: string, installHint: string): string | undefined {
  const path = findBinary(name);
  if (!path && integrationRequired()) {
    throw new MissingComponentError(
      `${name} is required for integration tests but is not installed (${installHint})`,
    );
  }
  if (!path) noteMissing(name, installHint);
  return path;
}

/** True when something accepts TCP connections on host:port within the timeout. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether a broker listens on its port. Missing: false locally, an error when integration is required. */
export async function needService(name: string, port: number, startHint: string): Promise<boolean> {
  const open = await portOpen(port);
  if (!open && integrationRequired()) {
    throw new MissingComponentError(
      `${name} is required on 127.0.0.1:${port} but is not listening (${startHint})`,
    );
  }
  if (!open) noteMissing(`${name} on 127.0.0.1:${port}`, startHint);
  return open;
}

/**
 * Note a component whose tests are skipped, for the suite's closing summary: `scripts/test.mjs`
 * names the file in EVENTSCOPE_MISSING_FILE and lists what was missing and how to get it.
 */
function noteMissing(name: string, hint: string): void {
  const file = process.env.EVENTSCOPE_MISSING_FILE;
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ name, hint })}\n`);
  } catch {}
}
