/**
 * `npm run cli -- <command> [--json]`: operator commands, calling the same services as the server.
 * Each exits non-zero with a one-line reason on failure.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import type { Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-db.ts';
import { loadKeyring, rotateKeyFile } from '../lib/keyring-file.ts';
import { createSecretBox, SecretBoxError } from '../lib/secret-box.ts';
import { resealSecrets } from '../modules/connections/sealed-columns.ts';
import { rematchAll } from '../modules/matching/matching.service.ts';
import { CsvHeaderError, describeImportReport, importCustomersCsv, type ImportReport } from '../modules/customers/customers.import.ts';

class UsageError extends Error {}

interface Command {
  summary: string;
  /** The arguments after the command words, for the help (e.g. `<file.csv>`); unset: none. */
  args?: string;
  run(config: Config, db: Db, args: string[]): Promise<Record<string, unknown>>;
  /** The result for a person at a terminal; unset: one `key: value` line per entry. */
  describe?(result: Record<string, unknown>): string;
}

const commands: Record<string, Command> = {
  migrate: {
    summary: 'apply pending database migrations',
    run: async (_config, db) => migrate(db),
  },
  'secrets reencrypt': {
    summary: 're-seal every stored secret with the current key (after a new key was put in front)',
    run: async (config, db) => {
      const { keyring } = loadKeyring({ encryptionKey: config.ENCRYPTION_KEY, dataDir: config.DATA_DIR });
      return { currentKey: keyring.currentKeyId, ...(await resealSecrets(db, createSecretBox(keyring))) };
    },
  },
  'keys rotate': {
    summary: 'put a new key in front of the key file in DATA_DIR and re-seal every secret with it',
    run: async (config, db) => {
      if (config.ENCRYPTION_KEY) {
        throw new UsageError(
          'ENCRYPTION_KEY is set, so the keys live in your configuration: put a new id:key in front of it (openssl rand -base64 32), restart, then run "secrets reencrypt"',
        );
      }
      loadKeyring({ encryptionKey: undefined, dataDir: config.DATA_DIR }); // makes the file if there is none yet
      const keyring = rotateKeyFile(config.DATA_DIR);
      return { currentKey: keyring.currentKeyId, keys: keyring.keys.size, ...(await resealSecrets(db, createSecretBox(keyring))) };
    },
  },
  'customers import': {
    summary: 'add or update customers from a CSV file (columns external_id, name, domains, csm_email, base_health_score)',
    args: '<file.csv>',
    run: async (config, db, [file, ...extra]) => {
      if (!file || extra.length > 0) throw new UsageError('usage: npm run cli -- customers import <file.csv> [--json]');
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
      });
      await migrate(db); // as npm start does: the import may be the first thing run on a new database
      try {
        const report = await importCustomersCsv(db, text);
        const rematched = await rematchAll(db, config.FREE_MAIL_DOMAINS);
        return { ...report, ticketsRematched: rematched.length };
      } catch (error) {
        throw error instanceof CsvHeaderError ? new UsageError(`${file}: ${error.message}`) : error;
      }
    },
    describe: (result) => `${describeImportReport(result as unknown as ImportReport)}\ntickets re-matched: ${String(result.ticketsRematched)}`,
  },
};

function help(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${`${name} ${command.args ?? ''}`.trim().padEnd(28)} ${command.summary}`);
  return ['usage: npm run cli -- <command> [--json]', '', 'commands:', ...lines, '', 'Configuration comes from the environment (see README).'].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const words = argv.filter((arg) => !arg.startsWith('--'));
  if (argv.includes('--help') || words.length === 0) {
    console.log(help());
    return;
  }
  // The longest command whose words start the line; the words after it are its arguments.
  const name = Object.keys(commands)
    .filter((candidate) => candidate.split(' ').every((word, k) => words[k] === word))
    .sort((a, b) => b.split(' ').length - a.split(' ').length)[0];
  const command = name === undefined ? undefined : commands[name];
  const args = words.slice(name?.split(' ').length ?? 0);
  if (!command || (args.length > 0 && !command.args)) throw new UsageError(`unknown command "${words.join(' ')}"; npm run cli -- --help lists the commands`);
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const result = await command.run(config, db, args);
    console.log(json ? JSON.stringify(result) : command.describe ? command.describe(result) : Object.entries(result).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') || '(none)' : String(v)}`).join('\n'));
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof SecretBoxError;
  console.error(known ? (error as Error).message : `failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
