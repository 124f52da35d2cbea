/**
 * Every database column that holds a sealed secret, with the context each value is bound to
 * (src/lib/secret-box.ts). The service seals and opens through these; key rotation re-seals them.
 */
import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';
import type { SecretBox } from '../../lib/secret-box.ts';

export const credentialsContext = (connectionId: string) => `zendesk_connections/${connectionId}/credentials`;
export const webhookSecretContext = (connectionId: string) => `zendesk_connections/${connectionId}/webhook_secret`;
export const verifierContext = (stateHash: string) => `oauth_states/${stateHash}/code_verifier`;

interface SealedColumn {
  table: string;
  key: string;
  column: string;
  context: (key: string) => string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'zendesk_connections', key: 'id', column: 'credentials_sealed', context: credentialsContext },
  { table: 'zendesk_connections', key: 'id', column: 'webhook_secret_sealed', context: webhookSecretContext },
  { table: 'oauth_states', key: 'state_hash', column: 'code_verifier_sealed', context: verifierContext },
  // The alert webhooks' URLs (src/modules/alerts/alert-webhooks.ts seals them with these contexts).
  { table: 'alert_webhooks', key: 'user_id', column: 'url_sealed', context: (userId) => `alert_webhook:${userId}` },
  { table: 'alert_team_webhook', key: 'id', column: 'url_sealed', context: () => 'alert_team_webhook' },
];

/**
 * Re-seals with the current key every value sealed with an older one, in one transaction: after
 * it, the old keys can be dropped from the keyring. Answers how many values moved.
 */
export async function resealSecrets(db: Db, secrets: SecretBox): Promise<{ resealed: number; total: number }> {
  return db.transaction(async (tx) => {
    let resealed = 0;
    let total = 0;
    for (const { table, key, column, context } of SEALED_COLUMNS) {
      const rows = await queryRows(tx, z.object({ k: z.string(), v: z.string() }), `SELECT ${key}::text AS k, ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL FOR UPDATE`);
      total += rows.length;
      for (const row of rows) {
        if (secrets.keyIdOf(row.v) === secrets.currentKeyId) continue;
        const value = secrets.seal(secrets.open(row.v, context(row.k)), context(row.k));
        await tx.query(`UPDATE ${table} SET ${column} = $2 WHERE ${key}::text = $1`, [row.k, value]);
        resealed += 1;
      }
    }
    return { resealed, total };
  });
}
