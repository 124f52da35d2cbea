/**
 * `customers import <file.csv>`: the file is read and checked before the database is opened, so
 * that a file that cannot be imported at all changes nothing. The rows that pass are imported;
 * any refused row makes the exit code 1, with each refused row's line and reason (on standard
 * error, or in the JSON on standard output with --json).
 */
import { readFile } from 'node:fs/promises';
import { migrate } from '../../db/migrate.ts';
import {
  CsvHeaderError,
  describeImportReport,
  describeRefusedRows,
  importCustomerRows,
  readCustomersCsv,
  type CustomersCsv,
  type ImportReport,
} from '../../modules/customers/customers.import.ts';
import { rematchAll } from '../../modules/matching/matching.service.ts';
import { UsageError, type Command } from '../command.ts';

const USAGE = 'usage: npm run cli -- customers import <file.csv> [--json]';

/** The file's text; a clear one-line reason when it cannot be read or is not UTF-8 text. */
async function readText(file: string): Promise<string> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    const reason =
      error.code === 'ENOENT' ? 'there is no such file' : error.code === 'EISDIR' ? 'it is a folder, not a file' : error.code === 'EACCES' ? 'permission denied' : error.message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`cannot read ${file}: it is not UTF-8 text (save it from the spreadsheet as "CSV UTF-8"); nothing was imported`);
  }
}

export const customersImportCommand: Command = {
  summary: 'add or update customers from a CSV file (columns external_id, name, domains, csm_email, base_health_score)',
  args: '<file.csv>',
  notes: [
    'The rows that pass are imported even when others are refused; each refused row is named by its line and reason',
    '(on standard error; with --json, in the JSON as badRows). Importing the corrected file again updates in place.',
    '',
    'exit codes:',
    '  0  every row was imported',
    '  1  some rows were refused (the others were imported), or the file could not be read or has no valid',
    '     header (nothing was written), or the command was mistyped',
  ],
  run: async (context) => {
    const [file, ...extra] = context.args;
    if (!file || extra.length > 0) throw new UsageError(USAGE);
    let csv: CustomersCsv;
    try {
      csv = readCustomersCsv(await readText(file));
    } catch (error) {
      throw error instanceof CsvHeaderError ? new UsageError(`${file}: ${error.message}; nothing was imported`) : error;
    }
    const db = await context.db();
    await migrate(db); // as npm start does: the import may be the first thing run on a new database
    const report = await importCustomerRows(db, csv);
    const rematched = await rematchAll(db, context.config.FREE_MAIL_DOMAINS);
    const result = { ...report, ticketsRematched: rematched.length };
    if (report.badRows.length === 0) return result;
    // Refused rows: the report is printed here, and the exit code is 1 with a last line of advice.
    if (context.json) context.emit(JSON.stringify(result));
    else {
      context.emit(describeResult(result));
      console.error(describeRefusedRows(report));
    }
    throw new UsageError(
      `${report.badRows.length} of ${report.rows} rows refused: correct them and import the file again (imported rows are updated in place, never duplicated)`,
    );
  },
  describe: (result) => describeResult(result as unknown as ImportReport & { ticketsRematched: number }),
};

function describeResult(result: ImportReport & { ticketsRematched: number }): string {
  return `${describeImportReport(result)}\ntickets re-matched: ${result.ticketsRematched}`;
}
