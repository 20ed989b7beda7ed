import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Prometheus toolchain the CLI drives, and how to install it when missing. */
export const installHints = {
  prometheus: 'apt-get install prometheus',
  promtool: 'apt-get install prometheus',
  'prometheus-alertmanager': 'apt-get install prometheus-alertmanager',
  amtool: 'apt-get install prometheus-alertmanager',
} as const;
export type Tool = keyof typeof installHints;

/** Absolute path of an executable on PATH (Debian puts some in /usr/sbin), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return undefined;
}

export interface ToolResult {
  ok: boolean;
  output: string;
}

export function runTool(binary: string, args: string[], cwd?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(binary, args, { cwd, timeout: 120_000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}`.trim() });
    });
  });
}
