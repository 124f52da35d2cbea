/** For tests that run the operator CLI as real processes on a test database. */
import { runScript } from '../../test/process-helpers.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../db/test-db.ts';

/**
 * The CLI's database settings: a fresh schema on TEST_DATABASE_URL (the CLI finds it through the
 * connection's search_path, unmigrated), else the embedded engine in `dataDir`.
 */
export async function cliDatabase(dataDir: string): Promise<{ env: { DATABASE_URL: string; DATA_DIR: string }; testDb: TestDb | undefined }> {
  const url = testDatabaseUrl();
  if (!url) return { env: { DATABASE_URL: '', DATA_DIR: dataDir }, testDb: undefined };
  const testDb = await createTestDb({ migrate: false });
  const databaseUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${testDb.schema}`)}`;
  return { env: { DATABASE_URL: databaseUrl, DATA_DIR: dataDir }, testDb };
}

/** `npm run cli -- <args>` to its exit: its code, and its standard output and error apart. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runScript('src/cli/main.ts', args, env);
  let stdout = '';
  let stderr = '';
  run.child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  run.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { code: await run.exited, stdout, stderr };
}
