/**
 * Page cursors are opaque to clients: a value as base64url JSON. Each list validates what it
 * decodes; this only packs and unpacks.
 */
export function encodeOpaqueCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The value a cursor holds, or undefined when the text is not a cursor at all. */
export function decodeOpaqueCursor(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
