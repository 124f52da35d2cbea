import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryOne, queryRows } from '../../db/rows.ts';
import { ROLES, type Role } from '../../contracts/vocabulary.ts';

export type { Role };

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const userRow = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) });
type UserRow = z.infer<typeof userRow>;

const USER_COLUMNS = 'u.id, u.email, u.name, u.role';

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

export async function insertUser(db: Queryable, input: { email: string; name: string; role: Role; passwordHash: string | null }): Promise<User> {
  const row = await queryOne(
    db,
    userRow,
    `INSERT INTO users AS u (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
    [input.email, input.name, input.role, input.passwordHash],
  );
  return toUser(row);
}

export async function countUsers(db: Queryable): Promise<number> {
  const row = await queryFirst(db, z.object({ n: z.number() }), 'SELECT count(*)::int AS n FROM users');
  return row?.n ?? 0;
}

export async function findUserForSignIn(db: Queryable, email: string): Promise<(User & { passwordHash: string | null }) | null> {
  const row = await queryFirst(
    db,
    userRow.extend({ password_hash: z.string().nullable() }),
    `SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.email) = lower($1) AND u.disabled_at IS NULL`,
    [email],
  );
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

export async function findUserById(db: Queryable, id: string): Promise<User | null> {
  const row = await queryFirst(db, userRow, `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL`, [id]);
  return row ? toUser(row) : null;
}

/** The user if it is an admin, disabled or not (an OAuth callback checks who started it). */
export async function findAdmin(db: Queryable, id: string): Promise<User | null> {
  const row = await queryFirst(db, userRow, `SELECT id, email, name, role FROM users WHERE id = $1 AND role = 'admin'`, [id]);
  return row ? toUser(row) : null;
}

export async function listUsersByRole(db: Queryable, role: Role): Promise<User[]> {
  const rows = await queryRows(db, userRow, `SELECT ${USER_COLUMNS} FROM users u WHERE u.role = $1 AND u.disabled_at IS NULL ORDER BY u.email`, [role]);
  return rows.map(toUser);
}

export async function insertApiKey(db: Queryable, input: { userId: string; name: string; prefix: string; keyHash: string }): Promise<string> {
  const row = await queryOne(
    db,
    z.object({ id: z.string() }),
    'INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.userId, input.name, input.prefix, input.keyHash],
  );
  return row.id;
}

/** The user behind a live API key. A pure read: authenticating a GET must not write (no "last used" stamp). */
export async function findUserByApiKeyHash(db: Queryable, keyHash: string): Promise<User | null> {
  const row = await queryFirst(
    db,
    userRow,
    `SELECT ${USER_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [keyHash],
  );
  return row ? toUser(row) : null;
}

export async function insertSession(db: Queryable, input: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
  await db.query('INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)', [
    input.tokenHash,
    input.userId,
    input.csrfToken,
    input.expiresAt,
  ]);
}

export async function findSession(db: Queryable, tokenHash: string): Promise<{ user: User; csrfToken: string } | null> {
  const row = await queryFirst(
    db,
    userRow.extend({ csrf_token: z.string() }),
    `SELECT ${USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [tokenHash],
  );
  return row ? { user: toUser(row), csrfToken: row.csrf_token } : null;
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1 OR expires_at < now()', [tokenHash]);
}
