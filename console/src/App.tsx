import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { createApi } from './api';
import { beginOidcSignIn, completeOidcSignIn, loadConfig, loadSession, takeTokenFromFragment, type ConsoleConfig, type Session } from './auth';
import { Ctx, type ConsoleContext } from './context';
import { useRoute } from './router';
import { can, CONTROL_SCOPES, type Control } from './scopes';
import { connectLive, type LiveStatus, type SseEvent } from './sse';
import { ConnectionsPage } from './pages/Connections';
import { CredentialsPage } from './pages/Credentials';
import { DeliveriesPage } from './pages/Deliveries';
import { ModelUsagePage } from './pages/ModelUsage';
import { OverviewPage } from './pages/Overview';
import { RunsPage } from './pages/Runs';
import { SubscriptionsPage } from './pages/Subscriptions';
import { SyncsPage } from './pages/Syncs';
import { ToolsPage } from './pages/Tools';

interface Page {
  path: string;
  label: string;
  control: Control;
  render(route: ReturnType<typeof useRoute>): ReactNode;
}

const PAGES: Page[] = [
  { path: 'overview', label: 'Overview', control: 'viewOverview', render: () => <OverviewPage /> },
  { path: 'connections', label: 'Connections', control: 'viewConnections', render: (route) => <ConnectionsPage route={route} /> },
  { path: 'credentials', label: 'Credentials', control: 'viewCredentials', render: (route) => <CredentialsPage route={route} /> },
  { path: 'subscriptions', label: 'Subscriptions', control: 'viewSubscriptions', render: () => <SubscriptionsPage /> },
  { path: 'deliveries', label: 'Deliveries', control: 'viewDeliveries', render: (route) => <DeliveriesPage route={route} /> },
  { path: 'runs', label: 'Runs', control: 'viewRuns', render: (route) => <RunsPage route={route} /> },
  { path: 'syncs', label: 'Syncs', control: 'viewSyncs', render: (route) => <SyncsPage route={route} /> },
  { path: 'model-usage', label: 'Model usage', control: 'viewModelUsage', render: (route) => <ModelUsagePage route={route} /> },
  { path: 'tools', label: 'MCP tools', control: 'listTools', render: (route) => <ToolsPage route={route} /> },
];

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [starting, setStarting] = useState(true);

  const signIn = useCallback(async (token: string) => {
    try {
      setSession(await loadSession(token));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }, []);

  useEffect(() => {
    void (async () => {
      const fragmentToken = takeTokenFromFragment();
      const loaded = await loadConfig();
      setConfig(loaded);
      try {
        const token = fragmentToken ?? (await completeOidcSignIn(loaded.oidc));
        if (token) await signIn(token);
      } catch (error) {
        setProblem(error instanceof Error ? error.message : String(error));
      }
      setStarting(false);
    })();
  }, [signIn]);

  if (!session) return <SignIn config={config} problem={problem} starting={starting} onToken={(token) => void signIn(token)} />;
  return (
    <SignedIn
      session={session}
      onSignOut={(reason) => {
        setSession(null);
        setProblem(reason ?? null);
      }}
    />
  );
}

function SignIn({ config, problem, starting, onToken }: { config: ConsoleConfig | null; problem: string | null; starting: boolean; onToken(token: string): void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [oidcProblem, setOidcProblem] = useState<string | null>(null);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (token.trim()) onToken(token.trim());
  }
  return (
    <main id="main" className="sign-in">
      <h1>Integration Platform console</h1>
      {problem || oidcProblem ? (
        <p className="error" role="alert">
          {problem ?? oidcProblem}
        </p>
      ) : null}
      {starting ? <p aria-live="polite">Starting…</p> : null}
      {config?.oidc ? (
        <section aria-labelledby="sso-heading" className="card">
          <h2 id="sso-heading">Single sign-on</h2>
          <p>Sign in with {new URL(config.oidc.issuer).host}.</p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              beginOidcSignIn(config.oidc!).catch((error: unknown) => {
                setBusy(false);
                setOidcProblem(error instanceof Error ? error.message : String(error));
              });
            }}
          >
            Sign in
          </button>
        </section>
      ) : null}
      <section aria-labelledby="token-heading" className="card">
        <h2 id="token-heading">{config?.oidc ? 'Or use a token' : 'Use a token'}</h2>
        <form onSubmit={submit} aria-label="Sign in with a token">
          <div className="field">
            <label htmlFor="token-input">Access token</label>
            <textarea
              id="token-input"
              rows={4}
              spellCheck={false}
              autoComplete="off"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              aria-describedby="token-help"
            />
            <small id="token-help" className="help">
              A bearer JWT (development: <code>npm run token -- --tenant t1</code>, or open the link the platform prints at start). It is kept in this tab's memory only.
            </small>
          </div>
          <button type="submit" className={config?.oidc ? '' : 'primary'}>
            Use token
          </button>
        </form>
      </section>
    </main>
  );
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut(reason?: string): void }) {
  const route = useRoute();
  const signOut = useRef(onSignOut);
  signOut.current = onSignOut;
  // A 401 anywhere means the token is no longer good (expired, revoked): back to sign-in, saying so.
  const api = useMemo(
    () => createApi(session.token, () => signOut.current('The API refused the token (401): it has expired or is no longer valid. Sign in again.')),
    [session.token],
  );
  const listeners = useRef(new Set<(event: SseEvent) => void>());
  const [live, setLive] = useState<{ status: LiveStatus; detail?: string }>({ status: 'connecting' });
  const [announcement, setAnnouncement] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    let count = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = connectLive({
      url: '/live/events',
      token: session.token,
      onStatus: (status, detail) => setLive({ status, detail }),
      onEvent: (event) => {
        for (const listener of listeners.current) listener(event);
        count += 1;
        clearTimeout(timer);
        timer = setTimeout(() => {
          setAnnouncement(`${count} live update${count === 1 ? '' : 's'} (latest: ${event.type}); the page was refreshed.`);
          count = 0;
        }, 1500);
      },
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [session.token]);

  const onLive = useCallback((listener: (event: SseEvent) => void) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const context: ConsoleContext = useMemo(() => ({ api, session, onLive }), [api, session, onLive]);
  const current = route.segments[0] ?? 'overview';
  const page = PAGES.find((candidate) => candidate.path === current);
  const allowed = PAGES.filter((candidate) => can(session.scopes, candidate.control));

  useEffect(() => setMenuOpen(false), [current]);

  // A new view (not a new filter of the same one) moves focus to the page, as a page load would.
  const view = route.segments.join('/');
  const firstView = useRef(true);
  useEffect(() => {
    if (firstView.current) {
      firstView.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [view]);

  useEffect(() => {
    if (!session.expiresAt) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    if (!(left > 0)) return;
    const timer = setTimeout(() => signOut.current('The session has expired. Sign in again.'), Math.min(left, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [session.expiresAt]);

  return (
    <Ctx.Provider value={context}>
      <a href="#main" className="skip" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Integration Platform</span>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="primary-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <div className="who">
          <span title={session.scopes.join(' ')}>
            tenant <strong>{session.tenantId || '?'}</strong>
            {session.subject ? ` · ${session.subject}` : ''}
          </span>
          <span className={`live live-${live.status}`} title={live.detail}>
            Live: {live.status}
          </span>
          <button type="button" onClick={() => onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="layout">
        <nav id="primary-nav" aria-label="Console" className={menuOpen ? 'open' : ''}>
          <ul>
            {allowed.map((item) => (
              <li key={item.path}>
                <a href={`#/${item.path}`} aria-current={item.path === current ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {page ? (
            can(session.scopes, page.control) ? (
              page.render(route)
            ) : (
              <div className="error forbidden" role="alert">
                <h1>{page.label}</h1>
                This token lacks the scope <code>{CONTROL_SCOPES[page.control]}</code>; the server would answer 403.
              </div>
            )
          ) : (
            <p role="alert">
              No such page. <a href="#/overview">Go to the overview</a>.
            </p>
          )}
        </main>
      </div>
      <div className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
    </Ctx.Provider>
  );
}
