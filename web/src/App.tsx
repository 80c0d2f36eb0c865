/** The shell: login until there is a token, then the header, navigation and the current screen. */
import { useEffect } from 'react';
import { ConnectionProvider, useConnectionStatus, useSession } from './api/context';
import { type Me, useMe } from './api/hooks';
import { CompareScreen } from './features/compare/CompareScreen';
import { Dashboard } from './features/dashboard/Dashboard';
import { HistoryScreen } from './features/history/HistoryScreen';
import { LoginScreen } from './features/login/LoginScreen';
import { RunPage } from './features/runs/RunPage';
import { RunsScreen } from './features/runs/RunsScreen';
import { Link, matchPath, useLocation } from './router';
import { ErrorBox, Loading } from './ui/ErrorBox';

export function App() {
  const { token } = useSession();
  if (!token) return <LoginScreen />;
  return (
    <ConnectionProvider token={token}>
      <Shell token={token} />
    </ConnectionProvider>
  );
}

function Shell({ token }: { token: string }) {
  const me = useMe(token);
  if (me.isPending) return <Loading what="your session" />;
  if (me.error || !me.data) return <SessionProblem error={me.error} />;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header me={me.data} />
      <main id="main" tabIndex={-1}>
        <Screen canOperate={me.data.role === 'operator'} />
      </main>
    </>
  );
}

function SessionProblem({ error }: { error: unknown }) {
  const { logout } = useSession();
  return (
    <main id="main">
      <ErrorBox error={error} title="Could not check the token" />
      <div className="actions">
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
        <button type="button" onClick={() => logout()}>
          Log out
        </button>
      </div>
    </main>
  );
}

const NAV = [
  { to: '/', label: 'Dashboard', active: (p: string) => p === '/' },
  { to: '/runs', label: 'Runs', active: (p: string) => p.startsWith('/runs') },
  {
    to: '/history',
    label: 'History',
    active: (p: string) => p.startsWith('/history') || p.startsWith('/compare'),
  },
];

function Header({ me }: { me: Me }) {
  const { logout } = useSession();
  const { pathname } = useLocation();
  const status = useConnectionStatus();
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        <span className="brand-mark" aria-hidden="true" /> benchpilot
      </Link>
      <nav aria-label="Main">
        <ul className="nav-list">
          {NAV.map((item) => (
            <li key={item.to}>
              <Link
                to={item.to}
                aria-current={item.active(pathname) ? 'page' : undefined}
                data-testid={`nav-${item.label.toLowerCase()}`}
              >
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <span className="spacer" />
      <span
        className={`live-status live-${status}`}
        data-testid="ws-status"
        data-status={status}
        title="Live updates"
      >
        {status === 'open' ? 'live' : status}
      </span>
      <span className="user" data-testid="whoami">
        {me.name} <span className="muted">({me.role})</span>
      </span>
      <button type="button" onClick={() => logout()} data-testid="logout">
        Log out
      </button>
    </header>
  );
}

function Screen({ canOperate }: { canOperate: boolean }) {
  const { pathname } = useLocation();
  const run = matchPath('/runs/:id', pathname);
  const title = run ? `Run ${run.id}` : (NAV.find((n) => n.active(pathname))?.label ?? 'Not found');
  useEffect(() => {
    document.title = `${title} · benchpilot`;
  }, [title]);

  if (pathname === '/') return <Dashboard canOperate={canOperate} />;
  if (pathname === '/runs') return <RunsScreen canOperate={canOperate} />;
  if (run?.id) return <RunPage key={run.id} id={run.id} canOperate={canOperate} />;
  if (pathname === '/history') return <HistoryScreen />;
  if (pathname === '/compare') return <CompareScreen />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing at <code>{pathname}</code>. <Link to="/">Go to the dashboard</Link>.
      </p>
    </section>
  );
}
