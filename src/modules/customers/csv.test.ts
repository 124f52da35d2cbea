import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsvRecord, parseCsv } from './csv.ts';

describe('parseCsv (RFC 4180)', () => {
  it('reads plain records with CRLF, LF or CR line ends, and no record for a final line break', () => {
    expect(parseCsv('a,b\r\nc,d\r\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
    expect(parseCsv('a,b\nc,d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
    expect(parseCsv('a\rb')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('keeps empty fields, and blank lines as one empty field', () => {
    expect(parseCsv(',a,\n\nb')).toEqual([
      { line: 1, fields: ['', 'a', ''] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['b'] },
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and line breaks, and counts lines inside them', () => {
    const text = 'id,note\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines\nand three"\r\n4,""\r\n5,x';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['1', 'a, b'] },
      { line: 3, fields: ['2', 'say "hi"'] },
      { line: 4, fields: ['3', 'two\r\nlines\nand three'] },
      { line: 7, fields: ['4', ''] },
      { line: 8, fields: ['5', 'x'] },
    ]);
  });

  it('drops a byte-order mark and keeps a quote inside an unquoted field as text', () => {
    expect(parseCsv('\ufeffname,size\nDisk,5" wide')).toEqual([
      { line: 1, fields: ['name', 'size'] },
      { line: 2, fields: ['Disk', '5" wide'] },
    ]);
  });

  it('marks a record with text after a closing quote, and an unclosed quote, with the line it starts on', () => {
    const records = parseCsv('a,b\n"x"y,z\nok,1\n"never closed,2\nlost,3');
    expect(records[1]).toMatchObject({ line: 2, fields: ['xy', 'z'], error: expect.stringMatching(/text follows the closing quote/) });
    expect(records[2]).toEqual({ line: 3, fields: ['ok', '1'] });
    expect(records[3]).toMatchObject({ line: 4, error: 'a quoted field opened on this line is never closed' });
    expect(records).toHaveLength(4);
  });

  it('reads back whatever formatCsvRecord writes (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\r', '\n', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n'), (rows, eol) => {
        const parsed = parseCsv(rows.map(formatCsvRecord).join(eol) + eol);
        expect(parsed.map((record) => record.fields)).toEqual(rows);
        expect(parsed.every((record) => record.error === undefined)).toBe(true);
      }),
    );
  });
});
