/**
 * Who is calling: API keys (Authorization: Bearer) for the API and the CLI, email + password
 * sign-in with a session cookie for the UI. Secrets are random, shown once, and stored hashed.
 */
import type { Db } from '../../db/db.ts';
import { generateToken, hashToken } from '../../lib/tokens.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';
import {
  countUsers,
  deleteSession,
  findSession,
  findUserByApiKeyHash,
  findUserForSignIn,
  insertApiKey,
  insertSession,
  insertUser,
  type Role,
  type User,
} from './users.repo.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const API_KEY_PREFIX = 'cscx';

// A fixed hash to verify against when the email is unknown, so that timing does not reveal
// which emails have accounts.
const UNKNOWN_USER_HASH = hashPassword('not-a-real-password');

export async function createUser(db: Db, input: { email: string; name: string; role: Role; password: string | null }): Promise<User> {
  return insertUser(db, { ...input, passwordHash: input.password === null ? null : await hashPassword(input.password) });
}

/** A new API key for the user; the key itself is returned once and never stored. */
export async function createApiKey(db: Db, userId: string, name: string, key: string = generateToken(API_KEY_PREFIX)): Promise<{ id: string; key: string }> {
  const id = await insertApiKey(db, { userId, name, prefix: key.slice(0, 12), keyHash: hashToken(key) });
  return { id, key };
}

export async function authenticateApiKey(db: Db, key: string): Promise<User | null> {
  return findUserByApiKeyHash(db, hashToken(key));
}

export async function signIn(db: Db, email: string, password: string): Promise<{ user: User; sessionToken: string; csrfToken: string; expiresAt: Date } | null> {
  const user = await findUserForSignIn(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await UNKNOWN_USER_HASH));
  if (!user || !user.passwordHash || !ok) return null;
  const sessionToken = generateToken('sess');
  const csrfToken = generateToken('csrf');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await insertSession(db, { tokenHash: hashToken(sessionToken), userId: user.id, csrfToken, expiresAt });
  const { passwordHash: _omit, ...publicUser } = user;
  return { user: publicUser, sessionToken, csrfToken, expiresAt };
}

export async function authenticateSession(db: Db, sessionToken: string): Promise<{ user: User; csrfToken: string } | null> {
  return findSession(db, hashToken(sessionToken));
}

export async function signOut(db: Db, sessionToken: string): Promise<void> {
  await deleteSession(db, hashToken(sessionToken));
}

/**
 * On first start with no users: an admin from ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_API_KEY, with
 * what was not given generated. Answers what must be shown to the operator once (generated
 * secrets), or null when users already exist.
 */
export async function ensureFirstAdmin(
  db: Db,
  given: { email: string | undefined; password: string | undefined; apiKey: string | undefined },
): Promise<{ email: string; password?: string; apiKey?: string } | null> {
  if ((await countUsers(db)) > 0) return null;
  const email = given.email ?? 'admin@localhost';
  const password = given.password ?? generatePassword();
  const admin = await createUser(db, { email, name: 'Administrator', role: 'admin', password });
  const { key } = await createApiKey(db, admin.id, 'first admin key', given.apiKey);
  return { email, ...(given.password ? {} : { password }), ...(given.apiKey ? {} : { apiKey: key }) };
}
