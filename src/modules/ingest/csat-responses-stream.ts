/**
 * Follows one connection's updated-CSAT survey responses (docs/metrics.md, CSAT; docs/zendesk.md,
 * CSAT survey responses) from its own stored position, after the tickets' catch-up: a pass lists
 * the responses created since the previous pass's latest (`filter[created_at_start]`), page by
 * page with the list's cursor; each page is committed with the cursor after it, so an
 * interruption resumes at the next page, and a finished pass moves the start to the latest
 * response seen (that second is read again, and a response read again changes nothing).
 *
 * In each page's transaction: the responses (new or changed ones answered), the negative-CSAT
 * alerts of the negative ones under the admins' threshold (once per response), and a refresh
 * mark on their customers, so that the CSAT figure and its daily history include them.
 *
 * Requests go through the connection's client, paced under the account's plan limit; a run reads
 * at most `maxPages` pages and stops at its deadline; the next run resumes.
 */
import type { Db } from '../../db/db.ts';
import type { ZendeskClient } from '../../zendesk/client.ts';
import { type CsatResponse, csatResponseOf, fetchSurveyResponsesPage } from '../../zendesk/survey-responses.ts';
import { requestCustomerRefresh } from '../aggregates/customer-refresh.repo.ts';
import { raiseCsatResponseAlerts } from '../alerts/alert-raising.repo.ts';
import { selectNegativeCsatMaxScore } from '../alerts/alert-settings.repo.ts';
import { csatResponsesPosition, writeCsatResponsesPage } from './csat-responses.repo.ts';

export interface CsatResponsesRun {
  pages: number;
  responses: number;
  alerts: number;
  caughtUp: boolean;
}

/** Pages a run reads at most. */
export const CSAT_RESPONSE_PAGES_PER_RUN = 10;

export async function followCsatResponses(
  db: Db,
  client: ZendeskClient,
  connectionId: string,
  options: { maxPages?: number; deadline?: number; pageSize?: number; alerts?: { importWindowSecs: number; email: boolean } } = {},
): Promise<CsatResponsesRun> {
  const maxPages = options.maxPages ?? CSAT_RESPONSE_PAGES_PER_RUN;
  const deadline = options.deadline ?? Infinity;
  const alertOptions = options.alerts ?? { importWindowSecs: 24 * 3600, email: false };
  let position = (await csatResponsesPosition(db, connectionId)) ?? { createdAfter: 0, pageAfter: null, highWater: 0 };
  const run: CsatResponsesRun = { pages: 0, responses: 0, alerts: 0, caughtUp: false };
  while (run.pages < maxPages && Date.now() <= deadline) {
    const page = await fetchSurveyResponsesPage(client, position.createdAfter, position.pageAfter, options.pageSize);
    const responses = page.survey_responses.map(csatResponseOf).filter((r): r is CsatResponse => r !== null);
    const highWater = responses.reduce((max, r) => Math.max(max, Math.floor(Date.parse(r.respondedAt) / 1000)), position.highWater);
    const after = page.meta?.after_cursor ?? null;
    const more = (page.meta?.has_more ?? Boolean(page.links?.next)) && after !== null && after !== position.pageAfter;
    const next = more
      ? { createdAfter: position.createdAfter, pageAfter: after, highWater }
      : { createdAfter: Math.max(position.createdAfter, highWater), pageAfter: null, highWater: Math.max(position.createdAfter, highWater) };
    const raised = await db.transaction(async (tx) => {
      const written = await writeCsatResponsesPage(tx, connectionId, responses, next);
      if (written.length === 0) return 0;
      const maxScore = await selectNegativeCsatMaxScore(tx);
      const alerts = await raiseCsatResponseAlerts(tx, connectionId, written.map((w) => w.id), { maxScore, ...alertOptions });
      const customers = written.filter((w) => w.customerId !== null);
      if (customers.length > 0) {
        const earliest = customers.reduce((min, w) => (w.respondedAt < min ? w.respondedAt : min), customers[0]!.respondedAt);
        await requestCustomerRefresh(tx, customers.map((w) => w.customerId!), earliest.slice(0, 10));
      }
      return alerts.length;
    });
    run.pages += 1;
    run.responses += responses.length;
    run.alerts += raised;
    position = next;
    if (!more) return { ...run, caughtUp: true };
  }
  return run;
}
