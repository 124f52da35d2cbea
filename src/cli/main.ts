/**
 * `npm run cli -- <command> [--json]`: operator commands, calling the same services as the server.
 * Each exits non-zero with a one-line reason on failure.
 */
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import type { Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-db.ts';
import { loadKeyring, rotateKeyFile } from '../lib/keyring-file.ts';
import { createSecretBox, SecretBoxError } from '../lib/secret-box.ts';
import { resealSecrets } from '../modules/connections/sealed-columns.ts';

class UsageError extends Error {}

interface Command {
  summary: string;
  run(config: Config, db: Db): Promise<Record<string, unknown>>;
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
};

function help(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(20)} ${command.summary}`);
  return ['usage: npm run cli -- <command> [--json]', '', 'commands:', ...lines, '', 'Configuration comes from the environment (see README).'].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const words = argv.filter((arg) => !arg.startsWith('--'));
  if (argv.includes('--help') || words.length === 0) {
    console.log(help());
    return;
  }
  const name = words.join(' ');
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"; npm run cli -- --help lists the commands`);
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const result = await command.run(config, db);
    console.log(json ? JSON.stringify(result) : Object.entries(result).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') || '(none)' : String(v)}`).join('\n'));
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof SecretBoxError;
  console.error(known ? (error as Error).message : `failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
