import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One folder per run, for notes printed once per run (test/support/system-program.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Worker threads and child processes make some tests slow on a loaded 2-core machine;
    // no test asserts a duration.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
