/**
 * CSCX customers: bulk upserts from the CRM (API and CSV import), validated all together before
 * anything is written, with each CSM found or created by email; the list and the single customer
 * with their open-ticket counts.
 */
import { z } from 'zod';
import type { Db, Queryable } from '../../db/db.ts';
import { decodeOpaqueCursor, encodeOpaqueCursor } from '../../lib/opaque-cursor.ts';
import { AppError } from '../../lib/errors.ts';
import {
  countOpenTickets,
  findCustomersByIds,
  insertMissingCsms,
  listCustomers,
  upsertCustomerRows,
  type Customer,
  type CustomerPosition,
} from './customers.repo.ts';
import { normalizeDomain } from '../../lib/domains.ts';

export const MAX_CUSTOMERS_PER_CALL = 5000;
const MAX_DOMAINS = 100;
const INPUT_FIELDS = ['externalId', 'name', 'domains', 'csmEmail', 'baseHealthScore'] as const;

const requiredText = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`);

const domain = z.string({ error: 'must be a string' }).transform((raw, ctx) => {
  const result = normalizeDomain(raw);
  if (result.ok) return result.domain;
  ctx.addIssue({ code: 'custom', message: result.message });
  return z.NEVER;
});

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * One customer as the CRM gives it. The entry is the customer's whole state: an omitted
 * `domains`, `csmEmail` or `baseHealthScore` clears it, so that re-sending an export always
 * leads to the same data. Unknown fields are refused: a misspelt `csm_email` would otherwise
 * silently clear the CSM.
 */
export const customerInputSchema = z.strictObject(
  {
    externalId: requiredText(200),
    name: requiredText(300),
    domains: z
      .array(domain, { error: 'must be a list of domain names' })
      .max(MAX_DOMAINS, `must have at most ${MAX_DOMAINS} domains`)
      .nullish()
      .transform((list) => [...new Set(list ?? [])]),
    csmEmail: z
      .string({ error: 'must be an email address or null' })
      .nullish()
      .transform((raw, ctx) => {
        const email = raw?.trim().toLowerCase() ?? '';
        if (email === '') return null;
        if (email.length <= 254 && EMAIL.test(email)) return email;
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(raw)} is not an email address` });
        return z.NEVER;
      }),
    baseHealthScore: z.unknown().optional().transform((value, ctx) => {
      if (value === undefined || value === null) return null;
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100) return value;
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a number from 0 to 100` });
      return z.NEVER;
    }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (the fields are ${INPUT_FIELDS.join(', ')})`
        : 'must be an object',
  },
);

export type CustomerInput = z.output<typeof customerInputSchema>;

/** What is wrong with one entry: `field` is relative to the entry (`domains[0]`; '' for the entry itself). */
export interface InputIssue {
  field: string;
  message: string;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, k) => (typeof part === 'number' ? `[${part}]` : `${k > 0 ? '.' : ''}${String(part)}`)).join('');
}

export function validateCustomerInput(entry: unknown): { ok: true; input: CustomerInput } | { ok: false; issues: InputIssue[] } {
  const result = customerInputSchema.safeParse(entry);
  if (result.success) return { ok: true, input: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message })) };
}

function rawExternalId(entry: unknown): string | null {
  const value = typeof entry === 'object' && entry !== null ? (entry as { externalId?: unknown }).externalId : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A customer with its open tickets (the HTTP API adds its current health score). */
export interface CustomerView extends Customer {
  openTickets: number;
}

export interface UpsertResult {
  /** In the order given. */
  customers: CustomerView[];
  created: number;
  updated: number;
  unchanged: number;
  /** Emails of the `csm` users made for CSMs nobody had yet: they have no password until an admin sets one. */
  csmsCreated: string[];
}

async function toViews(db: Queryable, customers: Customer[]): Promise<CustomerView[]> {
  const open = await countOpenTickets(db, customers.map((customer) => customer.id));
  return customers.map((customer) => ({ ...customer, openTickets: open.get(customer.id) ?? 0 }));
}

/**
 * Inserts or updates customers by external id, all or nothing: every entry is checked first, and
 * one bad entry refuses the call with each problem named (`customers[3].domains[0]: ...`).
 * CSMs are found by email among users of any role; an unknown email becomes a `csm` user with no
 * password. One statement writes the customers, in one transaction with the CSMs.
 */
export async function upsertCustomers(db: Db, entries: readonly unknown[]): Promise<UpsertResult> {
  if (entries.length > MAX_CUSTOMERS_PER_CALL) {
    throw new AppError(
      'validation_failed',
      `customers: at most ${MAX_CUSTOMERS_PER_CALL} per call, ${entries.length} given; send the rest in further calls`,
      [{ field: 'customers', message: `at most ${MAX_CUSTOMERS_PER_CALL} per call` }],
    );
  }
  const inputs: CustomerInput[] = [];
  const details: InputIssue[] = [];
  const firstIndex = new Map<string, number>();
  entries.forEach((entry, index) => {
    const result = validateCustomerInput(entry);
    const issues = result.ok ? [] : result.issues;
    // Repeated external ids are named even when an entry has other problems too.
    const externalId = result.ok ? result.input.externalId : rawExternalId(entry);
    const seen = externalId === null ? undefined : firstIndex.get(externalId);
    if (seen !== undefined) issues.push({ field: 'externalId', message: `${JSON.stringify(externalId)} is also customers[${seen}]: give each customer once` });
    else if (externalId !== null) firstIndex.set(externalId, index);
    for (const issue of issues) details.push({ field: `customers[${index}]${issue.field ? `.${issue.field}` : ''}`, message: issue.message });
    if (result.ok && issues.length === 0) inputs.push(result.input);
  });
  if (details.length > 0) {
    const lines = details.map((detail) => `${detail.field}: ${detail.message}`);
    const message =
      lines.length === 1
        ? (lines[0] as string)
        : `${lines.length} problems, nothing was written: ${lines.slice(0, 10).join('; ')}${lines.length > 10 ? `; and ${lines.length - 10} more (see details)` : ''}`;
    throw new AppError('validation_failed', message, details);
  }

  const { written, csmsCreated } = await db.transaction(async (tx) => {
    const emails = [...new Set(inputs.flatMap((input) => (input.csmEmail ? [input.csmEmail] : [])))];
    const created = await insertMissingCsms(tx, emails);
    return { written: await upsertCustomerRows(tx, inputs), csmsCreated: created };
  });

  const idByExternalId = new Map(written.map((row) => [row.externalId, row.id]));
  const views = new Map((await toViews(db, await findCustomersByIds(db, written.map((row) => row.id)))).map((view) => [view.id, view]));
  const count = (outcome: string) => written.filter((row) => row.outcome === outcome).length;
  return {
    customers: inputs.map((input) => views.get(idByExternalId.get(input.externalId) ?? '') as CustomerView),
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    csmsCreated,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The cursor is opaque to clients: the last row's sort key, base64url JSON.
function encodeCursor(position: CustomerPosition): string {
  return encodeOpaqueCursor([position.sortName, position.id]);
}

function decodeCursor(cursor: string): CustomerPosition {
  const value = decodeOpaqueCursor(cursor);
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID.test(value[1])) {
    return { sortName: value[0], id: value[1] };
  }
  throw new AppError('validation_failed', 'cursor: is not a cursor from this list; start again without it', [
    { field: 'cursor', message: 'is not a cursor from this list' },
  ]);
}

export interface CustomerPage {
  customers: CustomerView[];
  /** Give it back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A page of customers in name order, optionally those whose name contains `query`, or those of one CSM. */
export async function listCustomerViews(
  db: Queryable,
  options: { query?: string | undefined; csmId?: string | null; limit: number; cursor?: string | undefined },
): Promise<CustomerPage> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await listCustomers(db, { nameContains: options.query || null, csmId: options.csmId ?? null, after, limit: options.limit + 1 });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const customers = await toViews(
    db,
    page.map(({ sortName: _sortName, ...customer }) => customer),
  );
  return { customers, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}

export async function getCustomerView(db: Queryable, id: string): Promise<CustomerView> {
  const [customer] = await findCustomersByIds(db, [id]);
  if (!customer) throw new AppError('not_found', `no customer ${id}`);
  const [view] = await toViews(db, [customer]);
  return view as CustomerView;
}
