import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers and worker threads; two files at a time
    // keeps a 2-core machine responsive without serialising everything.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
