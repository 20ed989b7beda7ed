import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-order-kit',
    include: ['test/**/*.test.ts'],
  },
});
