/**
 * The daily digest: at `digest_hour` (08:00 by default) of each user's time zone, one mail with
 * their accounts' new alerts, score moves, open escalations and SLA breaches over the 24 hours
 * before; nothing is sent when there is nothing to say.
 *
 * Exactly once per user and local day, across restarts and several workers: scheduling inserts the
 * row (user, local date) with ON CONFLICT DO NOTHING, and sending claims due rows as the alert
 * emails do (alert-email.ts: a one-minute claim, SKIP LOCKED, marked sent right after the server
 * accepted the mail, a deterministic Message-ID). "Their accounts" are the customers a user is the
 * CSM of, plus those of the alerts routed to them. Score moves compare the last stored score of the
 * period's last (UTC) day with that of its first; open escalations are those open now that were
 * created before the period ended.
 */
import type { Deps } from '../../deps.ts';
import { publicUrl } from '../../config.ts';
import type { Queryable } from '../../db/db.ts';
import { escapeHtml } from '../../lib/html.ts';
import { CLAIM_SECONDS, mailFrom, type MailSender } from './alert-email.ts';
import { retryDelayMs } from './alert-deliveries.repo.ts';
import { claimDueDigests, insertDueDigests, markDigestEmpty, markDigestFailed, markDigestSent, selectDigestAlerts, selectOpenEscalations, selectScoreMoves } from './digest.repo.ts';

const MINUTE_MS = 60_000;
/** A score move worth a line: this many points or more between the day before and the day of the digest. */
export const SCORE_MOVE_POINTS = 5;
const LIST_LIMIT = 10;

/**
 * Queues today's digest (in their time zone) of every user whose digest hour has come and who gets
 * mail; answers how many were queued. Safe to run any number of times, by any number of workers.
 */
export async function scheduleDigests(db: Queryable, now: Date = new Date()): Promise<number> {
  return insertDueDigests(db, now);
}

export interface DigestContent {
  alerts: Array<{ type: string; customerId: string; customerName: string; zendeskTicketId: number | null; subdomain: string | null; createdAt: Date }>;
  scoreMoves: Array<{ customerId: string; customerName: string; from: number; to: number }>;
  openEscalations: Array<{ customerId: string; customerName: string; zendeskTicketId: number; subdomain: string; subject: string | null }>;
  openEscalationCount: number;
  slaBreaches: number;
}

/** What a user's digest for [start, end) says; empty lists when there is nothing to say. */
export async function digestContent(db: Queryable, userId: string, start: Date, end: Date): Promise<DigestContent> {
  const alerts = await selectDigestAlerts(db, userId, start, end);
  const moves = await selectScoreMoves(db, userId, start, end, SCORE_MOVE_POINTS);
  const escalations = await selectOpenEscalations(db, userId, start, end, LIST_LIMIT);
  return {
    alerts: alerts.map((a) => ({
      type: a.type,
      customerId: a.customer_id,
      customerName: a.customer_name,
      zendeskTicketId: a.zendesk_ticket_id === null ? null : Number(a.zendesk_ticket_id),
      subdomain: a.subdomain,
      createdAt: a.created_at,
    })),
    scoreMoves: moves.map((m) => ({ customerId: m.customer_id, customerName: m.customer_name, from: m.before, to: m.after })),
    openEscalations: escalations.map((e) => ({ customerId: e.customer_id, customerName: e.customer_name, zendeskTicketId: e.zendesk_ticket_id, subdomain: e.subdomain, subject: e.subject })),
    openEscalationCount: escalations[0]?.total ?? 0,
    slaBreaches: alerts.filter((a) => a.type === 'sla_breach').length,
  };
}

export function isEmptyDigest(content: DigestContent): boolean {
  return content.alerts.length === 0 && content.scoreMoves.length === 0 && content.openEscalationCount === 0;
}

const TYPE_LABEL: Record<string, string> = { escalation: 'Escalation', sla_breach: 'SLA breach', ticket_spike: 'Ticket spike', negative_csat: 'Bad rating' };

/** The digest as a mail: a text and an HTML part with the same lines and links. */
export function digestMail(content: DigestContent, to: { name: string; email: string; userId: string; localDate: string }, site: { publicUrl: string; from: string }) {
  const customer = (id: string) => `${site.publicUrl}/customers/${id}`;
  const sections: Array<{ title: string; lines: Array<{ text: string; href: string }> }> = [];
  if (content.alerts.length > 0) {
    sections.push({
      title: `New alerts (${content.alerts.length})`,
      lines: content.alerts.slice(0, LIST_LIMIT).map((a) => ({
        text: `${TYPE_LABEL[a.type] ?? a.type} at ${a.customerName}${a.zendeskTicketId !== null ? `, ticket #${a.zendeskTicketId}${a.subdomain ? ` on ${a.subdomain}` : ''}` : ''}`,
        href: customer(a.customerId),
      })),
    });
  }
  if (content.scoreMoves.length > 0) {
    sections.push({
      title: 'Health score moves',
      lines: content.scoreMoves.slice(0, LIST_LIMIT).map((m) => ({ text: `${m.customerName}: ${Math.round(m.from)} -> ${Math.round(m.to)}`, href: customer(m.customerId) })),
    });
  }
  if (content.openEscalationCount > 0) {
    sections.push({
      title: `Open escalations (${content.openEscalationCount})`,
      lines: content.openEscalations.map((e) => ({ text: `${e.customerName}: #${e.zendeskTicketId} on ${e.subdomain}${e.subject ? ` ${e.subject}` : ''}`, href: customer(e.customerId) })),
    });
  }
  const summary = [
    `${content.alerts.length} new alert${content.alerts.length === 1 ? '' : 's'}`,
    content.slaBreaches > 0 ? `${content.slaBreaches} SLA breach${content.slaBreaches === 1 ? '' : 'es'}` : null,
    `${content.openEscalationCount} open escalation${content.openEscalationCount === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(', ');
  const text = [`Your CSCX digest for ${to.localDate}: ${summary}.`, '', ...sections.flatMap((s) => [s.title, ...s.lines.map((l) => `- ${l.text}: ${l.href}`), '']), `All your alerts: ${site.publicUrl}/alerts`, ''].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p>Your CSCX digest for ${escapeHtml(to.localDate)}: <strong>${escapeHtml(summary)}</strong>.</p>
${sections.map((s) => `<h3>${escapeHtml(s.title)}</h3><ul>${s.lines.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a></li>`).join('')}</ul>`).join('\n')}
<p><a href="${escapeHtml(`${site.publicUrl}/alerts`)}">All your alerts</a></p>
</body></html>`;
  return {
    from: site.from,
    to: to.name ? `"${to.name.replace(/["\\]/g, '')}" <${to.email}>` : to.email,
    subject: `[CSCX] Your digest for ${to.localDate}: ${summary}`,
    text,
    html,
    messageId: `<digest-${to.userId}-${to.localDate}@cscx>`,
  };
}

/** Sends the due digests (none when empty); answers how many were sent, found empty, retried later and failed. */
export async function deliverDigests(
  deps: Pick<Deps, 'db' | 'logger' | 'config'>,
  options: { send: MailSender; now?: () => Date; limit?: number; maxAttempts?: number },
): Promise<{ sent: number; empty: number; retrying: number; failed: number }> {
  const now = (options.now ?? (() => new Date()))();
  const site = { publicUrl: publicUrl(deps.config), from: mailFrom(deps.config) };
  const rows = await claimDueDigests(deps.db, now, options.limit ?? 50, CLAIM_SECONDS);
  const result = { sent: 0, empty: 0, retrying: 0, failed: 0 };
  for (const row of rows) {
    const content = await digestContent(deps.db, row.user_id, row.period_start, row.period_end);
    if (isEmptyDigest(content) || !row.email) {
      result.empty += 1;
      await markDigestEmpty(deps.db, row, row.attempts + 1);
      continue;
    }
    const mail = digestMail(content, { name: row.name, email: row.email, userId: row.user_id, localDate: row.local_date }, site);
    const attempts = row.attempts + 1;
    try {
      await options.send(mail);
      result.sent += 1;
      await markDigestSent(deps.db, row, { attempts, at: now, messageId: mail.messageId });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const giveUp = attempts >= (options.maxAttempts ?? 8);
      if (giveUp) result.failed += 1;
      else result.retrying += 1;
      deps.logger.warn({ userId: row.user_id, localDate: row.local_date, attempts, error: message, giveUp }, 'digest delivery failed');
      await markDigestFailed(deps.db, row, {
        status: giveUp ? 'failed' : 'pending',
        attempts,
        error: message.slice(0, 500),
        nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, MINUTE_MS)),
      });
    }
  }
  return result;
}
