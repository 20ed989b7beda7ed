import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { namingFlavors } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { dashboardJson, generateDashboards } from '../src/generate.js';

// Golden files keep the JSON stable across runs and make every change to it a reviewed diff. They
// are what a user gets from the defaults (default SLOs, thresholds and baselines), per flavor.
// After an intended change: UPDATE_GOLDEN=1 pnpm exec vitest run --project dashboards golden
const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden dashboards', () => {
  for (const flavor of namingFlavors) {
    for (const generated of generateDashboards({ flavor })) {
      it(`${flavor}/${generated.fileName} matches the golden file`, () => {
        const path = join(goldenDir, flavor, generated.fileName);
        const json = dashboardJson(generated.dashboard);
        if (update || !existsSync(path)) {
          if (!update && process.env.CI === 'true') throw new Error(`golden file missing: ${path}`);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, json);
        }
        expect(json).toBe(readFileSync(path, 'utf8'));
      });
    }
  }
});
