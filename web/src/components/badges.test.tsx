import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { healthBand, HealthBadge, OpenBadge, PriorityLabel, SlaLabel } from './badges.tsx';

afterEach(cleanup);

describe('badges', () => {
  it('bands health scores with words: Healthy 75+, Watch 60-74, At risk below 60', () => {
    expect([null, 0, 59.9, 60, 74.9, 75, 100].map(healthBand)).toEqual([null, 'at_risk', 'at_risk', 'watch', 'watch', 'healthy', 'healthy']);
    render(<HealthBadge score={57.4} change={-6.2} />);
    expect(screen.getByText('At risk')).toBeTruthy();
    expect(document.body.textContent).toBe('57 At risk▼ down 6');
  });

  it('says "No score yet" rather than 0 when there is no score', () => {
    render(<HealthBadge score={null} />);
    expect(screen.getByText('No score yet')).toBeTruthy();
  });

  it('labels the open-ticket count with the worst priority in words, not colour alone', () => {
    const { container } = render(<OpenBadge count={7} worst="urgent" />);
    expect(container.textContent).toContain('7');
    expect(container.textContent).toContain('worst priority Urgent');
    expect(container.querySelector('.open-urgent')).not.toBeNull();
  });

  it('shows priority and SLA state as icon plus word', () => {
    render(
      <>
        <PriorityLabel priority={null} />
        <SlaLabel sla={{ state: 'breached', nextBreachAt: null }} />
        <SlaLabel sla={{ state: 'due_soon', nextBreachAt: '2025-01-01T00:00:00Z' }} />
      </>,
    );
    expect(screen.getByText(/No priority/)).toBeTruthy();
    expect(screen.getByText(/SLA breached/)).toBeTruthy();
    expect(screen.getByText(/SLA due soon/)).toBeTruthy();
  });
});
