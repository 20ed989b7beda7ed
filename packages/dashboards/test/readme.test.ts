import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceSignalBlock, signals } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { queriedSignals, signalTable } from '../src/readme.js';

const readmePath = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

describe('README', () => {
  const readme = readFileSync(readmePath, 'utf8');

  it('lists exactly the signals the dashboards query (run `pnpm run docs` after changing them)', () => {
    expect(replaceSignalBlock(readme, signalTable())).toBe(readme);
  });

  it('the queried signals include the headline ones', () => {
    const keys = new Set([...queriedSignals()].map((s) => s.key));
    for (const key of ['processDuration', 'eventAge', 'gcDuration', 'heapUsed', 'gcOverlap', 'slowEvents']) {
      expect(keys.has(key), key).toBe(true);
    }
    expect(keys.size).toBeLessThan(Object.keys(signals).length);
  });

  it('has the import steps and the screenshot', () => {
    expect(readme).toContain('## Import into Grafana');
    expect(readme).toContain('docs/preview.png');
    for (const step of ['UI import', 'Provisioning', 'Kubernetes ConfigMap']) expect(readme).toContain(step);
  });
});
