import { NavLink, Outlet, useLocation } from "react-router";

import { useLogout } from "@/features/auth/api/logout";
import { BrokerBanner } from "@/features/broker/components/BrokerBanner";
import { StreamIndicator } from "@/features/stream/components/StreamIndicator";
import { useClientStream } from "@/features/stream/hooks/use-client-stream";
import { TradingStateBanner } from "@/features/trading-state/components/TradingStateBanner";
import { useSession } from "@/lib/use-session";

/** The frame every signed-in page sits in: brand, navigation, who is signed in, sign out. */
export function AppLayout() {
  const session = useSession();
  const logout = useLogout();
  const { pathname } = useLocation();
  const clientId = session?.role === "client" ? session.clientId : null;
  const stream = useClientStream(clientId);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            Δ
          </span>
          Greekdesk
        </div>
        {session ? (
          <nav className="topnav" aria-label="Main">
            {session.role === "operator" ? (
              <>
                <NavLink to="/operator" end>
                  Clients
                </NavLink>
                <NavLink to="/operator/trading">Trading</NavLink>
                <NavLink to="/operator/audit">Audit</NavLink>
              </>
            ) : (
              <>
                <NavLink to="/dashboard">Dashboard</NavLink>
                <NavLink to="/agent">Agent</NavLink>
                <NavLink to="/risk">Risk</NavLink>
                <NavLink to="/settings">Settings</NavLink>
              </>
            )}
          </nav>
        ) : null}
        {session ? (
          <div className="whoami">
            {clientId ? <StreamIndicator status={stream} /> : null}
            <span className="user" title={session.username}>
              {session.username}
            </span>
            <span className={`badge badge-${session.role === "operator" ? "warn" : "info"}`}>{session.role}</span>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => logout.mutate()}
              disabled={logout.isPending}
            >
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      {clientId ? (
        // Polite live region: a halt or a dropped connection is announced without stealing focus.
        <div className="banners" aria-live="polite">
          <TradingStateBanner clientId={clientId} />
          {pathname.startsWith("/onboarding") ? null : <BrokerBanner clientId={clientId} settingsPath="/settings" />}
        </div>
      ) : null}
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
