import { spawnSync } from 'node:child_process';

/** `promtool check metrics` on an exposition: exit status and what it said. */
export function promtoolCheckMetrics(binary: string, exposition: string): { status: number; output: string } {
  const result = spawnSync(binary, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}
