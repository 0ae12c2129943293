import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker threads and child processes make some tests slow on a loaded 2-core machine;
    // no test asserts a duration.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
