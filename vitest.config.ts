import { defineConfig } from 'vitest/config';

// Integration files each get a fresh database schema (see src/db/test-db.ts), so files run in
// parallel across workers; tests inside a file run in order.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'emulator/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
