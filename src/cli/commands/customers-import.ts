import { readFile } from 'node:fs/promises';
import { migrate } from '../../db/migrate.ts';
import { CsvHeaderError, describeImportReport, importCustomersCsv, type ImportReport } from '../../modules/customers/customers.import.ts';
import { rematchAll } from '../../modules/matching/matching.service.ts';
import { UsageError, type Command } from '../command.ts';

export const customersImportCommand: Command = {
  summary: 'add or update customers from a CSV file (columns external_id, name, domains, csm_email, base_health_score)',
  args: '<file.csv>',
  run: async (context) => {
    const [file, ...extra] = context.args;
    if (!file || extra.length > 0) throw new UsageError('usage: npm run cli -- customers import <file.csv> [--json]');
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
    });
    const db = await context.db();
    await migrate(db); // as npm start does: the import may be the first thing run on a new database
    try {
      const report = await importCustomersCsv(db, text);
      const rematched = await rematchAll(db, context.config.FREE_MAIL_DOMAINS);
      return { ...report, ticketsRematched: rematched.length };
    } catch (error) {
      throw error instanceof CsvHeaderError ? new UsageError(`${file}: ${error.message}`) : error;
    }
  },
  describe: (result) => `${describeImportReport(result as unknown as ImportReport)}\ntickets re-matched: ${String(result.ticketsRematched)}`,
};
