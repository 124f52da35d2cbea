/**
 * OAuth scopes as Zendesk defines them (OAS `CreateTokenForGrantType` "Scope" section and
 * `CreateOAuthToken` "Resources that can be scoped"): `read`, `write`, `impersonate`, or
 * `<resource>:read` / `<resource>:write`. `write` does not imply `read` ("read" gives GET
 * endpoints, "write" gives POST, PUT and DELETE).
 */

/** OAS `CreateOAuthToken`: "Resources that can be scoped". */
export const SCOPABLE_RESOURCES: readonly string[] = [
  'tickets',
  'users',
  'auditlogs',
  'organizations',
  'hc',
  'apps',
  'triggers',
  'automations',
  'targets',
  'webhooks',
  'macros',
  'requests',
  'satisfaction_ratings',
  'dynamic_content',
  'any_channel',
  'web_widget',
  'security',
  'unrestricted',
];

export type ScopeAccess = 'read' | 'write';

/** Splits the space-separated `scope` string of the grant-type endpoints, dropping duplicates. */
export function parseScopeString(scope: string | undefined | null): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/\s+/).filter((part) => part.length > 0))];
}

export function isKnownScope(scope: string): boolean {
  if (scope === 'read' || scope === 'write' || scope === 'impersonate') return true;
  const [resource, access, extra] = scope.split(':');
  if (extra !== undefined || resource === undefined || access === undefined) return false;
  return SCOPABLE_RESOURCES.includes(resource) && (access === 'read' || access === 'write');
}

/** True when `requested` asks for nothing beyond `granted` (RFC 6749 §6: a refresh may narrow, never widen). */
export function isScopeSubset(requested: readonly string[], granted: readonly string[]): boolean {
  return requested.every((scope) => granted.includes(scope));
}

/** Whether a token with `scopes` may use `access` on `resource` (e.g. "webhooks", "write"). */
export function scopesAllow(scopes: readonly string[], resource: string, access: ScopeAccess): boolean {
  return scopes.includes(access) || scopes.includes(`${resource}:${access}`);
}
