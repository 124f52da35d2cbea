/** Record constructors shared by the generator, the store and tests: one place for Zendesk's defaults. */
import type { ZUser } from '../contract.ts';

/** A user with Zendesk's defaults for everything not given (active, UTC, en-US, no tags or fields). */
export function userRecord(fields: Pick<ZUser, 'id' | 'name' | 'role' | 'created_at'> & Partial<ZUser>): ZUser {
  return {
    email: null,
    organization_id: null,
    active: true,
    verified: true,
    suspended: false,
    time_zone: 'UTC',
    locale: 'en-US',
    tags: [],
    user_fields: {},
    external_id: null,
    phone: null,
    updated_at: fields.created_at,
    ...fields,
  };
}
