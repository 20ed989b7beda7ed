import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'install',
    include: ['test/**/*.test.ts'],
    // Packing seven packages and four npm installs (a warm npm cache: ~40 s; a cold one: minutes).
    hookTimeout: 420_000,
    testTimeout: 120_000,
  },
});
