import { join } from 'node:path';
import type { Db } from './db.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { openPglite, pgliteDb } from './pglite-db.ts';
import { postgresDb } from './postgres-db.ts';

export interface DatabaseSettings {
  /** A PostgreSQL server; unset: the embedded engine in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
}

/** Opens the configured database. Closing the Db also releases the embedded data-dir lock. */
export async function openDatabase(settings: DatabaseSettings): Promise<Db> {
  if (settings.databaseUrl) return postgresDb({ connectionString: settings.databaseUrl });
  const lock = lockDataDir(settings.dataDir);
  try {
    const db = pgliteDb(await openPglite(join(settings.dataDir, 'pglite')));
    return {
      ...db,
      close: async () => {
        try {
          await db.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
