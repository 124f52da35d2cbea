/** Database and key maintenance: migrate, secrets reencrypt, keys rotate. */
import { migrate } from '../../db/migrate.ts';
import { loadKeyring, rotateKeyFile } from '../../lib/keyring-file.ts';
import { createSecretBox } from '../../lib/secret-box.ts';
import { resealSecrets } from '../../modules/connections/sealed-columns.ts';
import { UsageError, type Command } from '../command.ts';

export const migrateCommand: Command = {
  summary: 'apply pending database migrations',
  run: async (context) => migrate(await context.db()),
};

export const secretsReencryptCommand: Command = {
  summary: 're-seal every stored secret with the current key (after a new key was put in front)',
  run: async (context) => {
    const { config } = context;
    const { keyring } = loadKeyring({ encryptionKey: config.ENCRYPTION_KEY, dataDir: config.DATA_DIR });
    return { currentKey: keyring.currentKeyId, ...(await resealSecrets(await context.db(), createSecretBox(keyring))) };
  },
};

export const keysRotateCommand: Command = {
  summary: 'put a new key in front of the key file in DATA_DIR and re-seal every secret with it',
  notes: ['With ENCRYPTION_KEY set, rotate there instead: put a new id:key in front, restart, then run "secrets reencrypt".'],
  run: async (context) => {
    const { config } = context;
    if (config.ENCRYPTION_KEY) {
      throw new UsageError(
        'ENCRYPTION_KEY is set, so the keys live in your configuration: put a new id:key in front of it (openssl rand -base64 32), restart, then run "secrets reencrypt"',
      );
    }
    const db = await context.db();
    loadKeyring({ encryptionKey: undefined, dataDir: config.DATA_DIR }); // makes the file if there is none yet
    const keyring = rotateKeyFile(config.DATA_DIR);
    return { currentKey: keyring.currentKeyId, keys: keyring.keys.size, ...(await resealSecrets(db, createSecretBox(keyring))) };
  },
};
