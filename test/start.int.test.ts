import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runScript } from './process-helpers.ts';

// `npm start` runs `tsx src/main.ts`; these tests run the same entry point as a real process.
describe('npm start', () => {
  it('serves on HOST:PORT with the embedded database, refuses a second process on the same DATA_DIR, and stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cscx-start-'));
    const port = await freePort();
    const server = runScript('src/main.ts', [], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' });
    try {
      const line = await server.waitForLine(/listening on/);
      expect(line).toBe(`cscx-zendesk listening on http://127.0.0.1:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ready', database: { engine: 'pglite' } });

      const second = runScript('src/main.ts', [], { PORT: String(await freePort()), DATA_DIR: dataDir, DATABASE_URL: '' });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/is in use by another cscx-zendesk process \(pid \d+\)/);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    expect(existsSync(join(dataDir, 'cscx-zendesk.lock'))).toBe(false);
  });

  it('stops at once with one clear line on a wrong setting', async () => {
    const run = runScript('src/main.ts', [], { PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(
      'Invalid configuration: PORT="eighty" is not a number. Fix: set PORT to a TCP port between 1 and 65535 (default 3000).',
    );
  });
});
