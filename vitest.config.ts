import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'test/**/*.test.ts', 'ui/src/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: process-spawning suites fight for CPU if every file runs at once.
    maxWorkers: 2,
    pool: 'forks',
    // Test files share their worker's module graph instead of evaluating it again each:
    // that halved the suite's CPU time on two cores (20.7 -> 10.6 CPU-minutes). Tests
    // therefore leave no global behind: fake timers, stubbed globals and tracing are
    // restored after each, and state lives in each test's own store, prefix or directory.
    isolate: false,
  },
});
