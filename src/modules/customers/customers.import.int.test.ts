/**
 * Importing customers from CSV through the service on the test database: header forms, bad rows
 * by line, batches. The command (`npm run cli -- customers import`): src/cli/customers-import.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createUser } from '../users/auth.service.ts';
import { CsvHeaderError, describeImportReport, describeRefusedRows, importCustomersCsv, readCustomersCsv } from './customers.import.ts';

const GOOD_AND_BAD = [
  'External ID,Name,Domains,CSM_Email,base_health_score,notes', // line 1
  'crm-1,Acme Corp,acme.com; www.acme.io,jane@cscx.test,72.5,', // line 2
  'crm-2,"Globex, Inc.",@globex.com globex.de,,,"a note', // line 3: a quoted field over two lines
  'spanning two lines"', // line 4
  'crm-3,Bad Domain,http://initech.com,,,', // line 5
  'crm-4,,initech.com,,,', // line 6
  'crm-5,Bad Score,,,high,', // line 7
  'crm-1,Acme Again,,,,', // line 8
  'crm-6,Too Few Fields', // line 9
  '', // line 10: blank, skipped
  'crm-7,Umbrella,umbrella.org,new.csm@cscx.test,0,', // line 11
].join('\r\n');

describe('customers CSV import', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    await createUser(deps.db, { email: 'Jane@cscx.test', name: 'Jane', role: 'csm', password: null });
  });
  afterAll(async () => {
    await destroy?.();
  });

  it('imports the good rows and reports each bad row by its line and reason', async () => {
    const report = await importCustomersCsv(deps.db, GOOD_AND_BAD);
    expect(report).toEqual({
      rows: 8,
      imported: 3,
      created: 3,
      updated: 0,
      unchanged: 0,
      csmsCreated: ['new.csm@cscx.test'],
      ignoredColumns: ['notes'],
      badRows: [
        { line: 5, reason: 'domains: "http://initech.com" is not a domain name' },
        { line: 6, reason: 'name: is required' },
        { line: 7, reason: 'base_health_score: "high" is not a number from 0 to 100' },
        { line: 8, reason: 'external_id: "crm-1" is already on line 2' },
        { line: 9, reason: 'has 2 fields where the header has 6' },
      ],
    });
    const { rows } = await deps.db.query<{ external_id: string; name: string; domains: string[]; csm: string | null; base_health_score: number | null }>(
      `SELECT c.external_id, c.name, c.domains, u.email AS csm, c.base_health_score
         FROM customers c LEFT JOIN users u ON u.id = c.csm_id ORDER BY c.external_id`,
    );
    expect(rows).toEqual([
      { external_id: 'crm-1', name: 'Acme Corp', domains: ['acme.com', 'acme.io'], csm: 'Jane@cscx.test', base_health_score: 72.5 },
      { external_id: 'crm-2', name: 'Globex, Inc.', domains: ['globex.com', 'globex.de'], csm: null, base_health_score: null },
      { external_id: 'crm-7', name: 'Umbrella', domains: ['umbrella.org'], csm: 'new.csm@cscx.test', base_health_score: 0 },
    ]);
    expect(describeImportReport(report).split('\n')[0]).toBe('imported 3 customers (created 3, updated 0, unchanged 0) of 8 rows read');
    expect(describeRefusedRows(report).split('\n')).toEqual([
      'imported 3 customers, refused 5 rows:',
      '  line 5: domains: "http://initech.com" is not a domain name',
      '  line 6: name: is required',
      '  line 7: base_health_score: "high" is not a number from 0 to 100',
      '  line 8: external_id: "crm-1" is already on line 2',
      '  line 9: has 2 fields where the header has 6',
    ]);

    const again = await importCustomersCsv(deps.db, GOOD_AND_BAD);
    expect(again).toMatchObject({ imported: 3, created: 0, unchanged: 3, csmsCreated: [] });
  });

  it('writes in batches through the same upsert as the API', async () => {
    const lines = ['name,external_id', ...Array.from({ length: 25 }, (_, i) => `Batch ${i},batch-${i}`)];
    const report = await importCustomersCsv(deps.db, `${lines.join('\n')}\n`, { batchSize: 10 });
    expect(report).toMatchObject({ rows: 25, imported: 25, created: 25, badRows: [] });
    const { rows } = await deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM customers WHERE external_id LIKE 'batch-%'");
    expect(rows[0]?.n).toBe(25);
  });

  it('reads and checks a file without the database: the rows to import and the refused ones', () => {
    const csv = readCustomersCsv(GOOD_AND_BAD);
    expect(csv.rows).toBe(8);
    expect(csv.good.map((row) => row.externalId)).toEqual(['crm-1', 'crm-2', 'crm-7']);
    expect(csv.badRows.map((row) => row.line)).toEqual([5, 6, 7, 8, 9]);
    expect(csv.ignoredColumns).toEqual(['notes']);
    expect(describeRefusedRows({ rows: 1, imported: 1, created: 1, updated: 0, unchanged: 0, csmsCreated: [], ignoredColumns: [], badRows: [] })).toBe('');
  });

  it('refuses a file without a valid header, with one reason', async () => {
    await expect(importCustomersCsv(deps.db, '')).rejects.toThrow(/^the file is empty/);
    await expect(importCustomersCsv(deps.db, 'id,title\n1,x')).rejects.toThrow(CsvHeaderError);
    await expect(importCustomersCsv(deps.db, 'id,title\n1,x')).rejects.toThrow(/external_id and name missing in "id", "title"$/);
    await expect(importCustomersCsv(deps.db, 'external_id,name,Name\n1,x,y')).rejects.toThrow('the header names the column name twice');
    await expect(importCustomersCsv(deps.db, '"external_id,name\n1,x')).rejects.toThrow(/is not valid CSV/);
  });
});
