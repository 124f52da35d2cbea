import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { getMe, signOut as signOutEndpoint, type User } from '../../src/contracts/auth.ts';
import { listAlerts } from '../../src/contracts/alerts.ts';
import { ApiError, call, onSignedOut, setCsrfToken } from './api.ts';
import { ChatPanel } from './components/ChatPanel.tsx';
import { ALERT_TYPE_LABEL } from './components/badges.tsx';
import { ErrorBoundary, ErrorNote, Loading } from './components/ui.tsx';
import { useLiveUpdates, type LiveAlert, type LiveState } from './live.ts';
import { AcknowledgeLinkPage } from './pages/AcknowledgeLinkPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { Link, navigate, useLocation } from './router.tsx';

const CustomersPage = lazy(() => import('./pages/CustomersPage.tsx'));
const CustomerPage = lazy(() => import('./pages/CustomerPage.tsx'));
const AlertsPageView = lazy(() => import('./pages/AlertsPage.tsx'));
const SettingsPage = lazy(() => import('./pages/SettingsPage.tsx'));

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return (await call(getMe)).user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
  });
}

interface Toast {
  id: number;
  text: string;
  customerId: string;
}

export function App() {
  const me = useMe();
  const client = useQueryClient();
  const { path } = useLocation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextToast = useRef(1);

  useEffect(
    () =>
      onSignedOut(() => {
        client.setQueryData(['me'], null);
      }),
    [client],
  );

  const onAlerts = useCallback((alerts: LiveAlert[]) => {
    setToasts((current) => [
      ...current.slice(-3),
      ...alerts.slice(0, 3).map((alert) => ({
        id: nextToast.current++,
        customerId: alert.customerId,
        text: `New alert: ${ALERT_TYPE_LABEL[alert.type]?.label ?? alert.type} at ${alert.customerName}${alert.zendeskTicketId ? ` (ticket #${alert.zendeskTicketId})` : ''}`,
      })),
    ]);
  }, []);
  const live = useLiveUpdates(Boolean(me.data), onAlerts);

  // Toasts fade after 8 s.
  useEffect(() => {
    if (toasts.length === 0) return;
    const timer = setTimeout(() => setToasts((current) => current.slice(1)), 8000);
    return () => clearTimeout(timer);
  }, [toasts]);

  if (me.isPending) return <Loading label="Loading CSCX" />;
  if (me.isError) {
    return (
      <main className="page narrow">
        <ErrorNote error={me.error} retry={() => void me.refetch()} />
      </main>
    );
  }
  const user = me.data;
  // An alert's acknowledge link works signed in or not: the link's token is the credential.
  if (path === '/alerts/acknowledge') return <AcknowledgeLinkPage />;
  if (!user) return <SignInPage />;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header user={user} path={path} live={live} />
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className="toast">
            <span>{toast.text}</span> <Link to={`/customers/${toast.customerId}`}>Open customer</Link>
          </div>
        ))}
      </div>
      <main id="main" className="page" tabIndex={-1}>
        <ErrorBoundary key={path}>
          <Suspense fallback={<Loading label="Loading page" />}>
            <Page path={path} user={user} />
          </Suspense>
        </ErrorBoundary>
      </main>
      <ErrorBoundary>
        <ChatPanel />
      </ErrorBoundary>
    </>
  );
}

function Page({ path, user }: { path: string; user: User }) {
  const customer = /^\/customers\/([0-9a-f-]{36})$/.exec(path);
  if (customer?.[1]) return <CustomerPage id={customer[1]} user={user} />;
  if (path === '/' || path === '/customers') return <CustomersPage user={user} />;
  if (path === '/alerts') return <AlertsPageView user={user} />;
  if (path === '/settings') return <SettingsPage user={user} />;
  return (
    <section className="empty">
      <h1>Page not found</h1>
      <p>
        This address does not lead to a page. <Link to="/">Go to your customers</Link>.
      </p>
    </section>
  );
}

function Header({ user, path, live }: { user: User; path: string; live: LiveState }) {
  const client = useQueryClient();
  const unread = useQuery({
    queryKey: ['alerts', 'unread'],
    // The default Alerts view: open alerts routed to me (for every role), snoozed ones left out by the server in the
    // count as in the list, so the badge counts what the page shows.
    queryFn: () => call(listAlerts, { query: { status: 'open', limit: '1', mine: 'true' } }),
    refetchInterval: 60_000,
  });
  const signOut = async () => {
    try {
      await call(signOutEndpoint);
    } finally {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(['me'], null);
      navigate('/', { replace: true });
    }
  };
  const current = (prefix: string) => (prefix === '/' ? path === '/' || path.startsWith('/customers') : path.startsWith(prefix));
  const count = unread.data?.unread ?? 0;
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        CSCX <span className="muted">Support</span>
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link to="/" aria-current={current('/') ? 'page' : undefined}>
              Customers
            </Link>
          </li>
          <li>
            <Link to="/alerts" aria-current={current('/alerts') ? 'page' : undefined}>
              Alerts{' '}
              {count > 0 && (
                <span className="count-badge" data-testid="unread-count">
                  {count}
                  <span className="sr-only"> open</span>
                </span>
              )}
            </Link>
          </li>
          <li>
            <Link to="/settings" aria-current={current('/settings') ? 'page' : undefined}>
              Settings
            </Link>
          </li>
        </ul>
      </nav>
      <span className={`live live-${live}`} title="Live updates">
        <span aria-hidden="true">●</span> {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline'}
      </span>
      <span className="user">
        {user.name} <span className="muted">({user.role})</span>
      </span>
      <button type="button" className="link-button" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
