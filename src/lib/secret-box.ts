/**
 * Encryption of credentials at rest: AES-256-GCM, a fresh 96-bit nonce per value, and the id of
 * the key that sealed it stored inside the sealed value, so that keys can rotate: the current key
 * seals, every known key opens, and a re-encryption pass moves old values to the current key.
 *
 * Sealed format (ASCII, fits a TEXT column): `enc:v1:<keyId>:<base64url(nonce | ciphertext | tag)>`.
 *
 * Each value is bound to where it belongs through GCM's additional data (e.g.
 * "zendesk_connections/<id>/access_token"): a ciphertext copied into another row or column does
 * not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class SecretBoxError extends Error {}

export interface Keyring {
  /** The key that seals new values. */
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `id:base64key[,id:base64key...]` (the first key is current). Each key is 32 random bytes,
 * base64 or base64url encoded.
 */
export function parseKeyring(text: string): Keyring {
  const keys = new Map<string, Buffer>();
  let currentKeyId: string | undefined;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const separator = part.indexOf(':');
    const id = separator > 0 ? part.slice(0, separator) : '';
    const key = Buffer.from(part.slice(separator + 1), 'base64');
    if (!KEY_ID.test(id)) throw new SecretBoxError('each key needs an id of letters, digits, - or _ before a colon, as id:base64key');
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`key ${id} is ${key.length} bytes; it must be ${KEY_BYTES} random bytes, base64 encoded`);
    if (keys.has(id)) throw new SecretBoxError(`key id ${id} appears twice`);
    keys.set(id, key);
    currentKeyId ??= id;
  }
  if (currentKeyId === undefined) throw new SecretBoxError('no key given');
  return { currentKeyId, keys };
}

export function formatKeyring(keyring: Keyring): string {
  const ids = [keyring.currentKeyId, ...[...keyring.keys.keys()].filter((id) => id !== keyring.currentKeyId)];
  return ids.map((id) => `${id}:${keyring.keys.get(id)?.toString('base64')}`).join(',');
}

/** A new keyring with a fresh random key in front; the old keys stay to open old values. */
export function addKey(keyring: Keyring | undefined, id: string = `k${Date.now().toString(36)}`): Keyring {
  const keys = new Map(keyring?.keys ?? []);
  keys.set(id, randomBytes(KEY_BYTES));
  return { currentKeyId: id, keys };
}

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** The key id that sealed a value (to find values to re-encrypt). */
  keyIdOf(sealed: string): string;
  readonly currentKeyId: string;
}

function parseSealed(sealed: string): { keyId: string; payload: Buffer } {
  const [prefix, version, keyId, payload] = sealed.split(':');
  if (prefix !== 'enc' || version !== VERSION || !keyId || !payload) throw new SecretBoxError('not a sealed value');
  return { keyId, payload: Buffer.from(payload, 'base64url') };
}

export function createSecretBox(keyring: Keyring): SecretBox {
  const currentKey = keyring.keys.get(keyring.currentKeyId);
  if (!currentKey) throw new SecretBoxError(`current key ${keyring.currentKeyId} is not in the keyring`);
  return {
    currentKeyId: keyring.currentKeyId,
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
      return `enc:${VERSION}:${keyring.currentKeyId}:${payload.toString('base64url')}`;
    },
    open(sealed, context) {
      const { keyId, payload } = parseSealed(sealed);
      const key = keyring.keys.get(keyId);
      if (!key) throw new SecretBoxError(`the value was sealed with key ${keyId}, which is not configured`);
      if (payload.length < NONCE_BYTES + TAG_BYTES) throw new SecretBoxError('the sealed value is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, payload.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('the sealed value does not open: wrong key, wrong context, or tampered');
      }
    },
    keyIdOf: (sealed) => parseSealed(sealed).keyId,
  };
}
