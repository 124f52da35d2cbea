/**
 * Settings, one section per tab (web/src/pages/settings/): Zendesk connections, ticket mappings,
 * health score weights, and the alert rules with escalation and SLA targets. Everyone may look;
 * only admins may change.
 */
import type { User } from '../../../src/contracts/auth.ts';
import { Link, useLocation } from '../router.tsx';
import { AlertRulesSection } from './settings/AlertRulesSection.tsx';
import { ConnectionsSection } from './settings/ConnectionsSection.tsx';
import { HealthWeightsSection } from './settings/HealthWeightsSection.tsx';
import { MappingsSection } from './settings/MappingsSection.tsx';

type Tab = 'connections' | 'mappings' | 'health' | 'alerts';
const TABS: Array<{ value: Tab; label: string }> = [
  { value: 'connections', label: 'Zendesk connections' },
  { value: 'mappings', label: 'Mappings' },
  { value: 'health', label: 'Health score' },
  { value: 'alerts', label: 'Alerts, escalation, SLA' },
];

export default function SettingsPage({ user }: { user: User }) {
  const { params } = useLocation();
  const tab = TABS.find((t) => t.value === params.get('tab'))?.value ?? 'connections';
  const admin = user.role === 'admin';
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        {!admin && <p className="muted">You can look; only admins can change settings.</p>}
      </div>
      <div className="settings">
        <nav aria-label="Settings sections" className="side-tabs">
          <ul>
            {TABS.map((t) => (
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
        </div>
      </div>
    </>
  );
}
