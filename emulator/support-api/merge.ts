/**
 * Merging tickets into a target (POST /api/v2/tickets/{id}/merge, docs/zendesk.md, Merged
 * tickets): each source gets a comment, the tag `closed_by_merge` and status closed; the target
 * gets a comment and an audit listing `merged_ticket_ids`. Comments are private unless the
 * request says otherwise ("comments default to private", OAS MergeTicketsIntoTargetTicket).
 */
import type { ZTicket, ZUser } from '../contract.ts';
import { recordInvalid, recordNotFound } from '../faults/errors.ts';
import type { AccountState } from './state.ts';
import type { EmulatorStore } from './store.ts';

export interface MergeInput {
  ids: number[];
  source_comment?: string;
  target_comment?: string;
  source_comment_is_public?: boolean;
  target_comment_is_public?: boolean;
}

export const MERGE_TAG = 'closed_by_merge';

/** A closed ticket cannot take part ([3P] live probe of a closed-ticket update: 422, details.status). */
function refuseClosed(ticket: ZTicket): void {
  if (ticket.status === 'closed') throw recordInvalid({ status: [{ description: 'closed prevents ticket update' }] });
}

/** The sources, checked before anything changes: a refused merge changes nothing. */
export function mergeSources(state: AccountState, target: ZTicket, input: MergeInput): ZTicket[] {
  refuseClosed(target);
  const ids = [...new Set(input.ids)];
  // The error bodies for a merge into itself and for an empty list are UNCONFIRMED.
  if (ids.length === 0) throw recordInvalid({ ids: [{ description: 'Ids: cannot be blank', error: 'BlankValue' }] });
  if (ids.includes(target.id)) throw recordInvalid({ base: [{ description: 'A ticket cannot be merged into itself', error: 'InvalidValue' }] });
  return ids.map((id) => {
    const source = state.account.tickets.get(id);
    if (!source || source.deleted) throw recordNotFound();
    refuseClosed(source);
    return source;
  });
}

export function mergeTickets(store: EmulatorStore, state: AccountState, target: ZTicket, sources: ZTicket[], input: MergeInput, actor: ZUser): void {
  const subdomain = state.account.subdomain;
  // Default comments: Zendesk's agent workspace wording (UNCONFIRMED for the API).
  for (const source of sources) {
    store.updateTicket(subdomain, source, {
      comment: {
        body: input.source_comment ?? `This request was closed and merged into request #${target.id} "${target.subject ?? ''}".`,
        public: input.source_comment_is_public ?? false,
        authorId: actor.id,
      },
      status: 'closed',
      tags: source.tags.includes(MERGE_TAG) ? source.tags : [...source.tags, MERGE_TAG],
    }, actor);
  }
  const { audit } = store.updateTicket(subdomain, target, {
    comment: {
      body: input.target_comment ?? sources.map((source) => `Request #${source.id} "${source.subject ?? ''}" was closed and merged into this request.`).join('\n'),
      public: input.target_comment_is_public ?? false,
      authorId: actor.id,
    },
  }, actor);
  audit.merged_ticket_ids = sources.map((source) => source.id);
}
