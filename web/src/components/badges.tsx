/**
 * Status, priority, SLA and health as text plus a shape, never colour alone (WCAG 1.4.1). Status
 * uses Zendesk's own hues (Copenhagen theme), so a CSM who also works in Zendesk reads them at once.
 */
import type { Ticket } from '../../../src/contracts/tickets.ts';
import type { TicketPriority as Priority, TicketStatus } from '../../../src/contracts/vocabulary.ts';

const STATUS_LABEL: Record<TicketStatus, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  hold: 'On-hold',
  solved: 'Solved',
  closed: 'Closed',
  deleted: 'Deleted',
};

export function StatusTag({ status }: { status: TicketStatus }) {
  return <span className={`tag status-${status}`}>{STATUS_LABEL[status]}</span>;
}

const PRIORITY: Record<Priority | 'none', { icon: string; label: string }> = {
  urgent: { icon: '⇈', label: 'Urgent' },
  high: { icon: '↑', label: 'High' },
  normal: { icon: '=', label: 'Normal' },
  low: { icon: '↓', label: 'Low' },
  none: { icon: '–', label: 'No priority' },
};

export function PriorityLabel({ priority }: { priority: Priority | null }) {
  const key = priority ?? 'none';
  const { icon, label } = PRIORITY[key];
  return (
    <span className={`priority priority-${key}`}>
      <span aria-hidden="true" className="icon">
        {icon}
      </span>{' '}
      {label}
    </span>
  );
}

export function SlaLabel({ sla }: { sla: Ticket['sla'] }) {
  if (sla.state === 'breached') {
    return (
      <span className="sla sla-breached">
        <span aria-hidden="true">⊘</span> SLA breached
      </span>
    );
  }
  if (sla.state === 'due_soon') {
    return (
      <span className="sla sla-due-soon" title={sla.nextBreachAt ? `Due ${new Date(sla.nextBreachAt).toLocaleString('en')}` : undefined}>
        <span aria-hidden="true">◔</span> SLA due soon
      </span>
    );
  }
  if (sla.state === 'ok') {
    return (
      <span className="sla sla-ok">
        <span aria-hidden="true">◷</span> On track
      </span>
    );
  }
  return <span className="sla sla-none">No SLA</span>;
}

export type HealthBand = 'healthy' | 'watch' | 'at_risk';

/** Bands, higher is better: Healthy 75 and up, Watch 60 to 74, At risk below 60. */
export function healthBand(score: number | null | undefined): HealthBand | null {
  if (score === null || score === undefined) return null;
  if (score >= 75) return 'healthy';
  if (score >= 60) return 'watch';
  return 'at_risk';
}

const BAND_LABEL: Record<HealthBand, string> = { healthy: 'Healthy', watch: 'Watch', at_risk: 'At risk' };

export function HealthBadge({ score, change }: { score: number | null | undefined; change?: number | null }) {
  const band = healthBand(score);
  if (band === null || score === null || score === undefined) return <span className="muted">No score yet</span>;
  const delta = change === null || change === undefined ? null : Math.round(change);
  return (
    <span className="health">
      <strong className="health-score">{Math.round(score)}</strong> <span className={`tag band-${band}`}>{BAND_LABEL[band]}</span>
      {delta !== null && delta !== 0 && (
        <span className={delta < 0 ? 'delta down' : 'delta up'} title="Change over 7 days">
          <span aria-hidden="true">{delta < 0 ? '▼' : '▲'}</span>
          <span className="sr-only">{delta < 0 ? ' down ' : ' up '}</span>
          {Math.abs(delta)}
        </span>
      )}
    </span>
  );
}

/** Open-ticket count, coloured (and labelled) by the worst open ticket's priority. */
export function OpenBadge({ count, worst }: { count: number; worst: Priority | 'none' | null }) {
  if (count === 0 || worst === null) return <span className="open-badge open-none">0</span>;
  const { icon, label } = PRIORITY[worst];
  return (
    <span className={`open-badge open-${worst}`} title={`${count} open; worst priority ${label}`}>
      {count}
      <span aria-hidden="true"> {icon}</span>
      <span className="sr-only"> open, worst priority {label}</span>
    </span>
  );
}

export const ALERT_TYPE_LABEL: Record<string, { label: string; icon: string }> = {
  escalation: { label: 'Escalation', icon: '⇈' },
  sla_breach: { label: 'SLA breach', icon: '⊘' },
  ticket_spike: { label: 'Ticket spike', icon: '↗' },
  negative_csat: { label: 'Bad rating', icon: '☹' },
};
