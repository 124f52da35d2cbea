/**
 * Importing customers from a CRM export in CSV: each bad row is reported by its line and reason,
 * the good ones go through the same upsert as the API, in batches. Columns (header row, any order,
 * case-insensitive; `external_id`, `External ID` and `externalId` are the same column):
 * external_id, name (required), domains (separated by `;`, `,` or spaces), csm_email,
 * base_health_score. Other columns are ignored and named in the report.
 */
import type { Db } from '../../db/db.ts';
import { parseCsv } from './csv.ts';
import { MAX_CUSTOMERS_PER_CALL, upsertCustomers, validateCustomerInput, type CustomerInput } from './customers.service.ts';

const COLUMNS = ['external_id', 'name', 'domains', 'csm_email', 'base_health_score'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['external_id', 'name'];
const FIELD_COLUMN: Record<string, Column> = {
  externalId: 'external_id',
  name: 'name',
  domains: 'domains',
  csmEmail: 'csm_email',
  baseHealthScore: 'base_health_score',
};

/** The file cannot be imported at all: no header naming the required columns. */
export class CsvHeaderError extends Error {}

export interface BadRow {
  line: number;
  reason: string;
}

export interface ImportReport {
  /** Data rows read (blank lines aside). */
  rows: number;
  imported: number;
  created: number;
  updated: number;
  unchanged: number;
  csmsCreated: string[];
  ignoredColumns: string[];
  badRows: BadRow[];
}

const columnKey = (header: string) => header.trim().toLowerCase().replace(/[\s_-]+/g, '');

function readHeader(fields: string[]): Map<Column, number> {
  const byKey = new Map(COLUMNS.map((column) => [columnKey(column), column]));
  const positions = new Map<Column, number>();
  fields.forEach((field, index) => {
    const column = byKey.get(columnKey(field));
    if (!column) return;
    if (positions.has(column)) throw new CsvHeaderError(`the header names the column ${column} twice`);
    positions.set(column, index);
  });
  const missing = REQUIRED.filter((column) => !positions.has(column));
  if (missing.length > 0) {
    const found = fields.map((field) => JSON.stringify(field.trim())).join(', ');
    throw new CsvHeaderError(
      `the first row must be a header naming the columns ${COLUMNS.join(', ')} (external_id and name required); ${missing.join(' and ')} missing in ${found}`,
    );
  }
  return positions;
}

/** A number when the cell is one, otherwise the text itself, for validation to name. */
function parseScore(text: string): number | string | null {
  if (text === '') return null;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : text;
}

/** A file read and checked, before anything is written: the rows to import and the ones refused. */
export interface CustomersCsv {
  /** Data rows read (blank lines aside). */
  rows: number;
  good: CustomerInput[];
  badRows: BadRow[];
  ignoredColumns: string[];
}

/**
 * Reads and checks a CSV file's text without touching the database. Throws CsvHeaderError when the
 * file cannot be imported at all (empty, or no header naming the required columns); each row that
 * cannot be imported is kept in `badRows` by its line and reason.
 */
export function readCustomersCsv(text: string): CustomersCsv {
  const records = parseCsv(text).filter((record) => record.error || record.fields.some((field) => field.trim() !== ''));
  const [header, ...data] = records;
  if (!header) throw new CsvHeaderError(`the file is empty: the first row must be a header naming the columns ${COLUMNS.join(', ')}`);
  if (header.error) throw new CsvHeaderError(`the header row (line ${header.line}) is not valid CSV: ${header.error}`);
  const positions = readHeader(header.fields);
  const ignoredColumns = header.fields.filter((_field, index) => ![...positions.values()].includes(index)).map((field) => field.trim()).filter(Boolean);

  const badRows: BadRow[] = [];
  const good: CustomerInput[] = [];
  const lineOf = new Map<string, number>();
  for (const record of data) {
    if (record.error) {
      badRows.push({ line: record.line, reason: record.error });
      continue;
    }
    if (record.fields.length !== header.fields.length) {
      badRows.push({ line: record.line, reason: `has ${record.fields.length} fields where the header has ${header.fields.length}` });
      continue;
    }
    const cell = (column: Column) => {
      const index = positions.get(column);
      return index === undefined ? '' : (record.fields[index] ?? '').trim();
    };
    const result = validateCustomerInput({
      externalId: cell('external_id'),
      name: cell('name'),
      domains: cell('domains').split(/[;,\s]+/).filter(Boolean),
      csmEmail: cell('csm_email') || null,
      baseHealthScore: parseScore(cell('base_health_score')),
    });
    if (!result.ok) {
      const reason = result.issues.map((issue) => `${FIELD_COLUMN[issue.field.replace(/[.[].*$/, '')] ?? issue.field}: ${issue.message}`).join('; ');
      badRows.push({ line: record.line, reason });
      continue;
    }
    const earlier = lineOf.get(result.input.externalId);
    if (earlier !== undefined) {
      badRows.push({ line: record.line, reason: `external_id: ${JSON.stringify(result.input.externalId)} is already on line ${earlier}` });
      continue;
    }
    lineOf.set(result.input.externalId, record.line);
    good.push(result.input);
  }
  return { rows: data.length, good, badRows, ignoredColumns };
}

/** Writes the rows a file was read into (readCustomersCsv), in batches, through the API's upsert. */
export async function importCustomerRows(db: Db, csv: CustomersCsv, options: { batchSize?: number } = {}): Promise<ImportReport> {
  const batchSize = Math.min(options.batchSize ?? 1000, MAX_CUSTOMERS_PER_CALL);
  const { rows, good, badRows, ignoredColumns } = csv;
  const report: ImportReport = { rows, imported: 0, created: 0, updated: 0, unchanged: 0, csmsCreated: [], ignoredColumns, badRows };
  for (let start = 0; start < good.length; start += batchSize) {
    const result = await upsertCustomers(db, good.slice(start, start + batchSize));
    report.imported += result.customers.length;
    report.created += result.created;
    report.updated += result.updated;
    report.unchanged += result.unchanged;
    report.csmsCreated.push(...result.csmsCreated);
  }
  return report;
}

export async function importCustomersCsv(db: Db, text: string, options: { batchSize?: number } = {}): Promise<ImportReport> {
  return importCustomerRows(db, readCustomersCsv(text), options);
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** What was imported, for a person at a terminal (the refused rows: describeRefusedRows). */
export function describeImportReport(report: ImportReport): string {
  const lines = [`imported ${plural(report.imported, 'customer', 'customers')} (created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}) of ${plural(report.rows, 'row', 'rows')} read`];
  if (report.csmsCreated.length > 0) {
    lines.push(`CSM users created (no password: they can sign in once an admin sets one): ${report.csmsCreated.join(', ')}`);
  }
  if (report.ignoredColumns.length > 0) lines.push(`ignored columns: ${report.ignoredColumns.join(', ')}`);
  return lines.join('\n');
}

/** The rows refused, each by its line and reason, under a line saying what was imported; '' when none. */
export function describeRefusedRows(report: ImportReport): string {
  if (report.badRows.length === 0) return '';
  return [
    `imported ${plural(report.imported, 'customer', 'customers')}, refused ${plural(report.badRows.length, 'row', 'rows')}:`,
    ...report.badRows.map((row) => `  line ${row.line}: ${row.reason}`),
  ].join('\n');
}
