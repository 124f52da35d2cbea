/**
 * One place for the value mapping both engines must agree on. PGlite already returns int8 as a
 * number, `pg` returns it as a string; both return numeric as a string. Zendesk ids stay below
 * 2^53 (they are JSON numbers in Zendesk's own API), so numbers are safe; a larger value is a bug
 * we want to hear about, not a silent rounding.
 */
export const PG_TYPE_INT8 = 20;
export const PG_TYPE_NUMERIC = 1700;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} does not fit in a JavaScript number`);
  }
  return value;
}

export function parseNumeric(text: string): number {
  return Number(text);
}
