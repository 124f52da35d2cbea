/**
 * A small RFC 4180 CSV reader (no CSV library is installed, and this is all we need): fields
 * separated by commas, records by CRLF, LF or CR; quoted fields may hold commas, line breaks and
 * quotes written twice (`""`). Each record keeps the line it starts on, so that errors can name it.
 *
 * Lenient where spreadsheets are sloppy, strict where data would be lost: a quote inside an
 * unquoted field is kept as text (`5" disk`), but text after a closing quote, or a quoted field
 * that is never closed, marks the record with an error instead of guessing.
 */
export interface CsvRecord {
  /** The 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** Set when the record breaks the format; its fields are then what could be read. */
  error?: string;
}

const UNCLOSED = 'a quoted field opened on this line is never closed';
const AFTER_QUOTE = 'text follows the closing quote of a field (write a quote inside a quoted field as "")';

function isBreak(ch: string | undefined): boolean {
  return ch === '\n' || ch === '\r';
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark, as Excel writes
  let line = 1;
  while (i < n) {
    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (i < n) {
          const ch = text[i] as string;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          // A line break inside a quoted field: CRLF counts once.
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line += 1;
          field += ch;
          i += 1;
        }
        if (!closed) {
          // Everything to the end of the file was swallowed: nothing after it can be trusted.
          record.fields.push(field);
          record.error = UNCLOSED;
          records.push(record);
          return records;
        }
        if (i < n && text[i] !== ',' && !isBreak(text[i])) {
          record.error ??= AFTER_QUOTE;
          while (i < n && text[i] !== ',' && !isBreak(text[i])) field += text[i++];
        }
      } else {
        while (i < n && text[i] !== ',' && !isBreak(text[i])) field += text[i++];
      }
      record.fields.push(field);
      if (i >= n) break;
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      break;
    }
    records.push(record);
  }
  return records;
}

/** One record as RFC 4180 text (quoted only when needed), for tests and exports. */
export function formatCsvRecord(fields: readonly string[]): string {
  return fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(',');
}
