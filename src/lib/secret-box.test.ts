import { describe, expect, it } from 'vitest';
import { addKey, createSecretBox, formatKeyring, parseKeyring, SecretBoxError } from './secret-box.ts';

describe('secret box', () => {
  const keyring = addKey(undefined, 'k1');
  const box = createSecretBox(keyring);

  it('seals with a fresh nonce each time and opens in the same context', () => {
    const a = box.seal('api-token-123', 'zendesk_connections/1/api_token');
    const b = box.seal('api-token-123', 'zendesk_connections/1/api_token');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('api-token-123');
    expect(box.open(a, 'zendesk_connections/1/api_token')).toBe('api-token-123');
  });

  it('does not open in another context, with another key, or when tampered', () => {
    const sealed = box.seal('secret', 'row/1/access_token');
    expect(() => box.open(sealed, 'row/2/access_token')).toThrow(SecretBoxError);
    const other = createSecretBox(addKey(undefined, 'k1'));
    expect(() => other.open(sealed, 'row/1/access_token')).toThrow(/does not open/);
    // One bit of the tag flipped. (Rewriting the last two base64 characters was not always a
    // change: the last one carries only two bits of the payload, so 1 seal in ~270 survived it.)
    const payloadAt = sealed.lastIndexOf(':') + 1;
    const bytes = Buffer.from(sealed.slice(payloadAt), 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    const tampered = sealed.slice(0, payloadAt) + bytes.toString('base64url');
    expect(() => box.open(tampered, 'row/1/access_token')).toThrow(SecretBoxError);
    expect(() => box.open('plain text', 'row/1/access_token')).toThrow(/not a sealed value/);
  });

  it('rotates: a new current key seals, old keys still open, and the key id tells which sealed', () => {
    const old = box.seal('v', 'c');
    const rotated = createSecretBox(addKey(keyring, 'k2'));
    expect(rotated.open(old, 'c')).toBe('v');
    const fresh = rotated.seal('v', 'c');
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(rotated.keyIdOf(old)).toBe('k1');
    expect(() => box.open(fresh, 'c')).toThrow(/key k2, which is not configured/);
  });

  it('parses and formats keyrings, refusing bad keys with a reason', () => {
    const two = addKey(keyring, 'k2');
    const parsed = parseKeyring(formatKeyring(two));
    expect(parsed.currentKeyId).toBe('k2');
    expect([...parsed.keys.keys()]).toEqual(['k2', 'k1']);
    expect(() => parseKeyring('')).toThrow(/no key given/);
    expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/must be 32 random bytes/);
    expect(() => parseKeyring(Buffer.alloc(32).toString('base64'))).toThrow(/needs an id/);
  });
});
