import type { Queryable } from '../../db/db.ts';

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

interface ConnectionRow {
  id: string;
  subdomain: string;
  auth_method: AuthMethod;
  status: ConnectionStatus;
  zendesk_user_id: number | null;
  zendesk_user_email: string | null;
  webhook_id: string | null;
  trigger_id: number | null;
  access_token_expires_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
  credentials_sealed: string | null;
  webhook_secret_sealed: string | null;
}

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
  const { rows } = await db.query<ConnectionRow>(
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
  return toConnection(rows[0] as ConnectionRow);
}

export async function findConnection(db: Queryable, id: string): Promise<(Connection & ConnectionSecrets) | null> {
  const { rows } = await db.query<ConnectionRow>('SELECT * FROM zendesk_connections WHERE id = $1', [id]);
  const row = rows[0];
  return row ? { ...toConnection(row), credentialsSealed: row.credentials_sealed, webhookSecretSealed: row.webhook_secret_sealed } : null;
}

/** Locks the row for the rest of the transaction (one OAuth refresh at a time across replicas). */
export async function findConnectionForUpdate(db: Queryable, id: string): Promise<(Connection & ConnectionSecrets) | null> {
  const { rows } = await db.query<ConnectionRow>('SELECT * FROM zendesk_connections WHERE id = $1 FOR UPDATE', [id]);
  const row = rows[0];
  return row ? { ...toConnection(row), credentialsSealed: row.credentials_sealed, webhookSecretSealed: row.webhook_secret_sealed } : null;
}

export async function findConnectionBySubdomain(db: Queryable, subdomain: string): Promise<Connection | null> {
  const { rows } = await db.query<ConnectionRow>('SELECT * FROM zendesk_connections WHERE subdomain = $1', [subdomain]);
  return rows[0] ? toConnection(rows[0]) : null;
}

export async function listConnections(db: Queryable): Promise<Connection[]> {
  const { rows } = await db.query<ConnectionRow>('SELECT * FROM zendesk_connections ORDER BY created_at, subdomain');
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
  const { rows } = await db.query<{ user_id: string; subdomain: string; code_verifier_sealed: string; expired: boolean }>(
    `UPDATE oauth_states SET used_at = now() WHERE state_hash = $1 AND used_at IS NULL
     RETURNING user_id, subdomain, code_verifier_sealed, expires_at <= now() AS expired`,
    [stateHash],
  );
  const row = rows[0];
  if (row) return { userId: row.user_id, subdomain: row.subdomain, codeVerifierSealed: row.code_verifier_sealed, expired: row.expired };
  const existing = await db.query('SELECT 1 FROM oauth_states WHERE state_hash = $1', [stateHash]);
  return existing.rows.length > 0 ? 'used' : 'unknown';
}
