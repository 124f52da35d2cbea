import type { Queryable } from '../../db/db.ts';

import type { Role } from '../../contracts/vocabulary.ts';

export type { Role };

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const USER_COLUMNS = 'u.id, u.email, u.name, u.role';

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

export async function insertUser(db: Queryable, input: { email: string; name: string; role: Role; passwordHash: string | null }): Promise<User> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users AS u (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
    [input.email, input.name, input.role, input.passwordHash],
  );
  return toUser(rows[0] as UserRow);
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]?.n ?? 0;
}

export async function findUserForSignIn(db: Queryable, email: string): Promise<(User & { passwordHash: string | null }) | null> {
  const { rows } = await db.query<UserRow & { password_hash: string | null }>(
    `SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.email) = lower($1) AND u.disabled_at IS NULL`,
    [email],
  );
  const row = rows[0];
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

export async function findUserById(db: Queryable, id: string): Promise<User | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function listUsersByRole(db: Queryable, role: Role): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.role = $1 AND u.disabled_at IS NULL ORDER BY u.email`, [role]);
  return rows.map(toUser);
}

export async function insertApiKey(db: Queryable, input: { userId: string; name: string; prefix: string; keyHash: string }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.userId, input.name, input.prefix, input.keyHash],
  );
  return (rows[0] as { id: string }).id;
}

/** The user behind a live API key. A pure read: authenticating a GET must not write (no "last used" stamp). */
export async function findUserByApiKeyHash(db: Queryable, keyHash: string): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [keyHash],
  );
  return rows[0] ? toUser(rows[0]) : null;
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
  const { rows } = await db.query<UserRow & { csrf_token: string }>(
    `SELECT ${USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [tokenHash],
  );
  const row = rows[0];
  return row ? { user: toUser(row), csrfToken: row.csrf_token } : null;
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1 OR expires_at < now()', [tokenHash]);
}
