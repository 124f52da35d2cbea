import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryOne, queryRows } from '../../db/rows.ts';

export type ConnectionStatus = 'pending' | 'active' | 'needs_reauth' | 'error' | 'disconnected';
export type AuthMethod = 'oauth' | 'api_token';

export interface Connection {
  id: string;
  subdomain: string;
  authMethod: AuthMethod;
  status: ConnectionStatus;
  zendeskUserId: number | null;
  zendeskUserEmail: string | null;
  webhookId: string | null;
  triggerId: number | null;
  accessTokenExpiresAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The sealed columns, read only where credentials are needed. */
export interface ConnectionSecrets {
  credentialsSealed: string | null;
  webhookSecretSealed: string | null;
}

const connectionRow = z.object({
  id: z.string(),
  subdomain: z.string(),
  auth_method: z.enum(['oauth', 'api_token']),
  status: z.enum(['pending', 'active', 'needs_reauth', 'error', 'disconnected']),
  zendesk_user_id: z.number().nullable(),
  zendesk_user_email: z.string().nullable(),
  webhook_id: z.string().nullable(),
  trigger_id: z.number().nullable(),
  access_token_expires_at: z.date().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.date().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
  credentials_sealed: z.string().nullable(),
  webhook_secret_sealed: z.string().nullable(),
});
type ConnectionRow = z.infer<typeof connectionRow>;

function toConnection(row: ConnectionRow): Connection {
  return {
    id: row.id,
    subdomain: row.subdomain,
    authMethod: row.auth_method,
    status: row.status,
    zendeskUserId: row.zendesk_user_id,
    zendeskUserEmail: row.zendesk_user_email,
    webhookId: row.webhook_id,
    triggerId: row.trigger_id,
    accessTokenExpiresAt: row.access_token_expires_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ConnectionWrite {
  id: string;
  subdomain: string;
  authMethod: AuthMethod;
  createdBy: string;
  credentialsSealed: string;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  oauthScope: string | null;
  zendeskUserId: number;
  zendeskUserEmail: string | null;
  webhookId: string;
  triggerId: number;
  webhookSecretSealed: string;
}

/**
 * Stores a freshly verified connection as active: a new row, or the existing row of the same
 * subdomain when it is being re-authorized (its id, and so its tickets, are kept).
 */
export async function saveActiveConnection(db: Queryable, write: ConnectionWrite): Promise<Connection> {
  const row = await queryOne(
    db,
    connectionRow,
    `INSERT INTO zendesk_connections AS c
       (id, subdomain, auth_method, status, created_by, credentials_sealed, access_token_expires_at, refresh_token_expires_at,
        oauth_scope, zendesk_user_id, zendesk_user_email, webhook_id, trigger_id, webhook_secret_sealed)
     VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (subdomain) DO UPDATE SET
       auth_method = EXCLUDED.auth_method, status = 'active', credentials_sealed = EXCLUDED.credentials_sealed,
       access_token_expires_at = EXCLUDED.access_token_expires_at, refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
       oauth_scope = EXCLUDED.oauth_scope, zendesk_user_id = EXCLUDED.zendesk_user_id, zendesk_user_email = EXCLUDED.zendesk_user_email,
       webhook_id = EXCLUDED.webhook_id, trigger_id = EXCLUDED.trigger_id, webhook_secret_sealed = EXCLUDED.webhook_secret_sealed,
       last_error = NULL, last_error_at = NULL, updated_at = now()
     RETURNING c.*`,
    [
      write.id,
      write.subdomain,
      write.authMethod,
      write.createdBy,
      write.credentialsSealed,
      write.accessTokenExpiresAt,
      write.refreshTokenExpiresAt,
      write.oauthScope,
      write.zendeskUserId,
      write.zendeskUserEmail,
      write.webhookId,
      write.triggerId,
      write.webhookSecretSealed,
    ],
  );
  return toConnection(row);
}

export async function findConnection(db: Queryable, id: string): Promise<(Connection & ConnectionSecrets) | null> {
  const row = await queryFirst(db, connectionRow, 'SELECT * FROM zendesk_connections WHERE id = $1', [id]);
  return row ? { ...toConnection(row), credentialsSealed: row.credentials_sealed, webhookSecretSealed: row.webhook_secret_sealed } : null;
}

/** Locks the row for the rest of the transaction (one OAuth refresh at a time across replicas). */
export async function findConnectionForUpdate(db: Queryable, id: string): Promise<(Connection & ConnectionSecrets) | null> {
  const row = await queryFirst(db, connectionRow, 'SELECT * FROM zendesk_connections WHERE id = $1 FOR UPDATE', [id]);
  return row ? { ...toConnection(row), credentialsSealed: row.credentials_sealed, webhookSecretSealed: row.webhook_secret_sealed } : null;
}

export async function findConnectionBySubdomain(db: Queryable, subdomain: string): Promise<Connection | null> {
  const row = await queryFirst(db, connectionRow, 'SELECT * FROM zendesk_connections WHERE subdomain = $1', [subdomain]);
  return row ? toConnection(row) : null;
}

/** The connection a webhook belongs to, unless it was disconnected. */
export async function findLiveConnectionIdByWebhook(db: Queryable, webhookId: string): Promise<string | undefined> {
  const row = await queryFirst(db, z.object({ id: z.string() }), `SELECT id FROM zendesk_connections WHERE webhook_id = $1 AND status <> 'disconnected'`, [webhookId]);
  return row?.id;
}

/** The active connections, each with whether it has webhook deliveries waiting: what a scheduled sync visits. */
export async function listActiveConnectionsForSync(db: Queryable): Promise<Array<{ id: string; pending: boolean }>> {
  return queryRows(
    db,
    z.object({ id: z.string(), pending: z.boolean() }),
    `SELECT c.id, EXISTS (SELECT 1 FROM zendesk_webhook_deliveries d WHERE d.connection_id = c.id AND d.processed_at IS NULL) AS pending
           FROM zendesk_connections c WHERE c.status = 'active'`,
  );
}

export async function listConnections(db: Queryable): Promise<Connection[]> {
  const rows = await queryRows(db, connectionRow, 'SELECT * FROM zendesk_connections ORDER BY created_at, subdomain');
  return rows.map(toConnection);
}

export async function updateOAuthCredentials(
  db: Queryable,
  id: string,
  input: { credentialsSealed: string; accessTokenExpiresAt: Date | null; refreshTokenExpiresAt: Date | null },
): Promise<void> {
  await db.query(
    `UPDATE zendesk_connections SET credentials_sealed = $2, access_token_expires_at = $3, refresh_token_expires_at = $4, updated_at = now() WHERE id = $1`,
    [id, input.credentialsSealed, input.accessTokenExpiresAt, input.refreshTokenExpiresAt],
  );
}

export async function setConnectionStatus(db: Queryable, id: string, status: ConnectionStatus, error: string | null): Promise<void> {
  await db.query(
    `UPDATE zendesk_connections SET status = $2, last_error = $3, last_error_at = CASE WHEN $3::text IS NULL THEN last_error_at ELSE now() END, updated_at = now() WHERE id = $1`,
    [id, status, error],
  );
}

/** Disconnected: credentials and webhook forgotten; the row stays when the tickets stay. */
export async function markDisconnected(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE zendesk_connections SET status = 'disconnected', credentials_sealed = NULL, webhook_secret_sealed = NULL, webhook_id = NULL,
        trigger_id = NULL, access_token_expires_at = NULL, refresh_token_expires_at = NULL, updated_at = now() WHERE id = $1`,
    [id],
  );
}

export async function deleteConnection(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM zendesk_connections WHERE id = $1', [id]);
}

export interface OAuthState {
  userId: string;
  subdomain: string;
  codeVerifierSealed: string;
  expired: boolean;
}

export async function insertOAuthState(db: Queryable, input: { stateHash: string; userId: string; subdomain: string; codeVerifierSealed: string; ttlSeconds: number }): Promise<void> {
  await db.query(
    `INSERT INTO oauth_states (state_hash, user_id, subdomain, code_verifier_sealed, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
    [input.stateHash, input.userId, input.subdomain, input.codeVerifierSealed, input.ttlSeconds],
  );
}

/**
 * Takes a state for use, once: 'unknown' (never issued), 'used' (taken before), or the state
 * (with `expired`). The single UPDATE makes a race between two callbacks give one winner.
 */
export async function consumeOAuthState(db: Queryable, stateHash: string): Promise<OAuthState | 'unknown' | 'used'> {
  const row = await queryFirst(
    db,
    z.object({ user_id: z.string(), subdomain: z.string(), code_verifier_sealed: z.string(), expired: z.boolean() }),
    `UPDATE oauth_states SET used_at = now() WHERE state_hash = $1 AND used_at IS NULL
     RETURNING user_id, subdomain, code_verifier_sealed, expires_at <= now() AS expired`,
    [stateHash],
  );
  if (row) return { userId: row.user_id, subdomain: row.subdomain, codeVerifierSealed: row.code_verifier_sealed, expired: row.expired };
  const existing = await db.query('SELECT 1 FROM oauth_states WHERE state_hash = $1', [stateHash]);
  return existing.rows.length > 0 ? 'used' : 'unknown';
}

/** A connection's state and its last completed catch-up: the Zendesk data is complete up to then (webhooks bring changes sooner). */
export interface ConnectionFreshness {
  subdomain: string;
  status: string;
  state: string | null;
  lastSyncedAt: string | null;
}

export async function listConnectionFreshness(db: Queryable): Promise<ConnectionFreshness[]> {
  const rows = await queryRows(
    db,
    z.object({ subdomain: z.string(), status: z.string(), phase: z.string().nullable(), last_synced_at: z.date().nullable() }),
    `SELECT c.subdomain, c.status, s.phase, s.last_synced_at FROM zendesk_connections c LEFT JOIN zendesk_sync_state s ON s.connection_id = c.id ORDER BY c.subdomain`,
  );
  return rows.map((row) => ({ subdomain: row.subdomain, status: row.status, state: row.phase, lastSyncedAt: row.last_synced_at?.toISOString() ?? null }));
}
