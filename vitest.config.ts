import { defineConfig } from 'vitest/config';

// One project per package; `pnpm test` runs them all. Integration tests talk to real
// Prometheus, Alertmanager and brokers; with EVENTSCOPE_REQUIRE_INTEGRATION=1 (set by .ci/run)
// a missing component fails the test instead of skipping it.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
});
