/**
 * The export side-loads a ticket's requester, assignee and organization with every page that
 * holds one of its tickets: over an import the same user comes back page after page (100,000
 * tickets of 20,000 users bring about 100,000 user rows). Within one sync run, a user or an
 * organization already written at the same version is left out of the later pages' writes; the
 * guarded upsert would have changed nothing for it. Versions are remembered only once their page
 * has committed, and at most MAX_REMEMBERED of each kind (then the memory starts over), so memory
 * stays bounded however large the account.
 */
import type { PageRows } from './ticket-rows.ts';

const MAX_REMEMBERED = 200_000;

/** Zendesk's updated_at as a number; null (no version known) is never taken as already written. */
const versionOf = (updatedAt: string | null): number | null => (updatedAt === null ? null : Date.parse(updatedAt));

export class SideLoadVersions {
  private readonly users = new Map<number, number>();
  private readonly organizations = new Map<number, number>();

  /** The page's rows without the users and organizations already written at that version in this run. */
  unwritten(rows: PageRows): PageRows {
    return {
      tickets: rows.tickets,
      users: rows.users.filter((user) => !isWritten(this.users, user.zendesk_user_id, user.zendesk_updated_at)),
      organizations: rows.organizations.filter((org) => !isWritten(this.organizations, org.zendesk_organization_id, org.zendesk_updated_at)),
    };
  }

  /** Call after the page's transaction committed. */
  remember(rows: PageRows): void {
    for (const user of rows.users) remember(this.users, user.zendesk_user_id, user.zendesk_updated_at);
    for (const org of rows.organizations) remember(this.organizations, org.zendesk_organization_id, org.zendesk_updated_at);
  }
}

function isWritten(written: Map<number, number>, id: number, updatedAt: string | null): boolean {
  const version = versionOf(updatedAt);
  return version !== null && written.get(id) === version;
}

function remember(written: Map<number, number>, id: number, updatedAt: string | null): void {
  const version = versionOf(updatedAt);
  if (version === null || Number.isNaN(version)) return;
  if (written.size >= MAX_REMEMBERED && !written.has(id)) written.clear();
  written.set(id, version);
}
