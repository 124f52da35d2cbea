import { describe, expect, it } from 'vitest';
import { pgJson } from './pg-json.ts';

describe('pgJson', () => {
  it('drops NUL characters from every string, at any depth, and keeps the rest', () => {
    const value = { subject: 'a\u0000b', tags: ['x\u0000', 'y'], nested: { n: 1, ok: true, none: null, text: '\u0000\u0000' } };
    expect(JSON.parse(pgJson(value))).toEqual({ subject: 'ab', tags: ['x', 'y'], nested: { n: 1, ok: true, none: null, text: '' } });
    expect(pgJson([{ a: 'plain' }])).toBe(JSON.stringify([{ a: 'plain' }]));
  });
});
