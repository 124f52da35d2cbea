/**
 * What every answer receives: the storage and configuration it reads, the caller, the account
 * index the message was parsed with, the parsed message, and one `now` for the whole answer.
 *
 * Permissions as elsewhere: views across customers are the caller's own customers for a CSM and
 * every customer for leaders and admins; one named customer is readable by every signed-in role,
 * as its tickets and metrics are through the API. Subscriptions are always the caller's own.
 */
import type { Deps } from '../../deps.ts';
import type { User } from '../users/users.repo.ts';
import type { AccountIndex } from './account-index.ts';
import type { ParsedMessage } from './chat-parser.ts';

export type ReadDeps = Pick<Deps, 'db' | 'config'>;

export interface AnswerContext {
  deps: ReadDeps;
  user: User;
  index: AccountIndex;
  parsed: ParsedMessage;
  now: Date;
}

/** Whose customers a view across customers covers. */
export const scopeOf = (user: User): 'mine' | 'all' => (user.role === 'csm' ? 'mine' : 'all');
/** The CSM a portfolio query is limited to; null is every customer. */
export const csmIdOf = (user: User): string | null => (user.role === 'csm' ? user.id : null);

/** The name the customer has in the index, else its id (a customer deleted since the parse). */
export const customerNameOf = (ctx: AnswerContext, customerId: string): string => ctx.index.customer(customerId)?.name ?? customerId;
