import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '@eventscope/testkit';
import type { AlertFiles } from '../src/index.js';

/** Run a binary; resolves with its exit code and output, never rejects on a non-zero exit. */
export function run(binary: string, args: string[], cwd?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Write generated files into a fresh temporary folder. */
export function materialize(files: AlertFiles): { path: string; remove: () => void } {
  const dir = tempDir('eventscope-alerts-');
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir.path, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}
