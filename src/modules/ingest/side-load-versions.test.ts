import { describe, expect, it } from 'vitest';
import { SideLoadVersions } from './side-load-versions.ts';
import type { OrganizationRow, UserRow } from './ticket-rows.ts';

const user = (id: number, updatedAt: string | null): UserRow => ({ zendesk_user_id: id, name: `U${id}`, email: null, role: 'end-user', organization_zendesk_id: null, zendesk_updated_at: updatedAt });
const org = (id: number, updatedAt: string | null): OrganizationRow => ({ zendesk_organization_id: id, name: `O${id}`, domain_names: [], external_id: null, zendesk_updated_at: updatedAt });
const page = (users: UserRow[], organizations: OrganizationRow[] = []) => ({ tickets: [], users, organizations });
const ids = (rows: ReturnType<SideLoadVersions['unwritten']>) => [rows.users.map((u) => u.zendesk_user_id), rows.organizations.map((o) => o.zendesk_organization_id)];

describe('side-loaded users and organizations written once per version in a sync run', () => {
  it('leaves out what a committed page already wrote at the same version, and keeps changes and unknown versions', () => {
    const versions = new SideLoadVersions();
    const first = page([user(1, '2026-01-01T00:00:00Z'), user(2, null)], [org(10, '2026-01-01T00:00:00Z')]);
    expect(ids(versions.unwritten(first))).toEqual([[1, 2], [10]]);
    versions.remember(first);
    const next = page([user(1, '2026-01-01T00:00:00Z'), user(2, null), user(3, '2026-01-01T00:00:00Z')], [org(10, '2026-01-01T00:00:00Z')]);
    expect(ids(versions.unwritten(next))).toEqual([[2, 3], []]);
    const changed = page([user(1, '2026-01-02T00:00:00Z')], [org(10, '2026-01-02T00:00:00Z')]);
    expect(ids(versions.unwritten(changed))).toEqual([[1], [10]]);
  });

  it('remembers nothing of a page that did not commit', () => {
    const versions = new SideLoadVersions();
    const rows = page([user(1, '2026-01-01T00:00:00Z')]);
    versions.unwritten(rows); // written in a transaction that then failed: remember() is never called
    expect(ids(versions.unwritten(rows))).toEqual([[1], []]);
  });
});
