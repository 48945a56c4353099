import { defineConfig } from 'vitest/config';

// One run covers every workspace; slow end-to-end suites live under tests/ and get longer timeouts there.
export default defineConfig({
  test: {
    include: ['{shared,firmware-sim,edge,cloud,dashboards}/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Marks every process the run starts and fails the run if any outlives it.
    globalSetup: ['tests/support/global-setup.ts'],
    reporters: ['default'],
  },
});
