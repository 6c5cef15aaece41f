import { NavLink, Outlet } from "react-router";

import { useLogout } from "@/features/auth/api/logout";
import { useSession } from "@/lib/use-session";

/** The frame every signed-in page sits in: brand, navigation, who is signed in, sign out. */
export function AppLayout() {
  const session = useSession();
  const logout = useLogout();
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
              <NavLink to="/operator">Clients</NavLink>
            ) : (
              <NavLink to="/dashboard">Dashboard</NavLink>
            )}
          </nav>
        ) : null}
        {session ? (
          <div className="whoami">
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
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
