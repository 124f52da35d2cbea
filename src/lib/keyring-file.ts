import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addKey, formatKeyring, parseKeyring, type Keyring } from './secret-box.ts';

export const KEY_FILE_NAME = 'encryption-keys';

/**
 * The keyring that seals credentials: ENCRYPTION_KEY when set; otherwise a key file in DATA_DIR,
 * created with mode 0600 on first start. (Several servers sharing a PostgreSQL database must share
 * ENCRYPTION_KEY: a key file is per machine.)
 */
export function loadKeyring(options: { encryptionKey: string | undefined; dataDir: string }): { keyring: Keyring; source: 'env' | 'file' | 'new-file' } {
  if (options.encryptionKey) return { keyring: parseKeyring(options.encryptionKey), source: 'env' };
  const path = join(options.dataDir, KEY_FILE_NAME);
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { keyring: parseKeyring(readFileSync(path, 'utf8').trim()), source: 'file' };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const keyring = addKey(undefined, 'k1');
  writeFileSync(path, `${formatKeyring(keyring)}\n`, { mode: 0o600, flag: 'wx' });
  return { keyring, source: 'new-file' };
}

/** Puts a fresh key in front of the key file's keyring (old keys stay, to open old values). */
export function rotateKeyFile(dataDir: string): Keyring {
  const path = join(dataDir, KEY_FILE_NAME);
  const keyring = addKey(parseKeyring(readFileSync(path, 'utf8').trim()));
  writeFileSync(path, `${formatKeyring(keyring)}\n`, { mode: 0o600 });
  return keyring;
}
