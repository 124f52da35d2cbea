/**
 * Settings, one section per tab (web/src/pages/settings/): Zendesk connections, ticket mappings,
 * health score weights, the alert rules with escalation and SLA targets (leaders may look, only
 * admins may change), and my notifications, which everyone, CSMs included, sets for themselves.
 */
import type { User } from '../../../src/contracts/auth.ts';
import { Link, useLocation } from '../router.tsx';
import { AlertRulesSection } from './settings/AlertRulesSection.tsx';
import { ConnectionsSection } from './settings/ConnectionsSection.tsx';
import { HealthWeightsSection } from './settings/HealthWeightsSection.tsx';
import { MappingsSection } from './settings/MappingsSection.tsx';
import { NotificationsSection } from './settings/NotificationsSection.tsx';

type Tab = 'connections' | 'mappings' | 'health' | 'alerts' | 'notifications';
/** `team`: the team's settings, which CSMs do not see. */
const TABS: Array<{ value: Tab; label: string; team: boolean }> = [
  { value: 'connections', label: 'Zendesk connections', team: true },
  { value: 'mappings', label: 'Mappings', team: true },
  { value: 'health', label: 'Health score', team: true },
  { value: 'alerts', label: 'Alerts, escalation, SLA', team: true },
  { value: 'notifications', label: 'My notifications', team: false },
];

export default function SettingsPage({ user }: { user: User }) {
  const { params } = useLocation();
  const tabs = user.role === 'csm' ? TABS.filter((t) => !t.team) : TABS;
  const tab = tabs.find((t) => t.value === params.get('tab'))?.value ?? tabs[0]!.value;
  const admin = user.role === 'admin';
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        {user.role === 'leader' && <p className="muted">You can look at the team’s settings; only admins can change them. Your notifications are yours to set.</p>}
      </div>
      <div className="settings">
        <nav aria-label="Settings sections" className="side-tabs">
          <ul>
            {tabs.map((t) => (
              <li key={t.value}>
                <Link to={`/settings?tab=${t.value}`} aria-current={t.value === tab ? 'page' : undefined}>
                  {t.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="settings-body">
          {tab === 'connections' && <ConnectionsSection admin={admin} connected={params.get('connected')} />}
          {tab === 'mappings' && <MappingsSection admin={admin} />}
          {tab === 'health' && <HealthWeightsSection admin={admin} />}
          {tab === 'alerts' && <AlertRulesSection admin={admin} />}
          {tab === 'notifications' && <NotificationsSection admin={admin} />}
        </div>
      </div>
    </>
  );
}
