import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

describe('lockDataDir', () => {
  it('lets one holder in, refuses a live other process, and frees the dir on release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cscx-lock-'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'cscx-zendesk.lock'), String(holder.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by another cscx-zendesk process \\(pid ${holder.pid}\\)`));
    } finally {
      holder.kill();
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    // The holder is gone: its lock is stale and is taken over.
    const lock = lockDataDir(dir);
    expect(existsSync(join(dir, 'cscx-zendesk.lock'))).toBe(true);
    lock.release();
    expect(existsSync(join(dir, 'cscx-zendesk.lock'))).toBe(false);
  });
});
