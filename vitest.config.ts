import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Two projects. "node": the server, the emulator, the repository scripts and the whole-process
// tests, including the browser end-to-end tests (test/e2e); integration files each get a fresh
// database schema (see src/db/test-db.ts), so files run in parallel across workers; tests inside
// a file run in order.
// "web": the UI's component tests, in happy-dom.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['src/**/*.test.ts', 'emulator/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
          environment: 'happy-dom',
          testTimeout: 10_000,
        },
      },
    ],
  },
});
