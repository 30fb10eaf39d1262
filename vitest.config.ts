import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores on CI: the suite spawns many real gh and loom processes.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
