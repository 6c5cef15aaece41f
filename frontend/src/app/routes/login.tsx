import { useEffect, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";

import { homePathFor } from "@/app/home-path";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { LoginForm } from "@/features/auth/components/LoginForm";
import { peekEndReason, type Session, takeEndReason } from "@/lib/session";
import { useSession } from "@/lib/use-session";

function destination(session: Session, from: unknown): string {
  const home = homePathFor(session);
  // Only go back where the user was if that page belongs to their role.
  if (typeof from === "string" && from.startsWith(home)) return from;
  return home;
}

export function LoginRoute() {
  useDocumentTitle("Sign in");
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: unknown } | null)?.from;
  const [notice] = useState(() =>
    peekEndReason() === "expired" ? "Your session has ended. Sign in again to continue." : null,
  );
  useEffect(() => {
    takeEndReason();
  }, []);

  if (session) return <Navigate to={destination(session, from)} replace />;

  return (
    <main className="login-page">
      <div className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            Δ
          </span>
          Greekdesk
        </div>
        <h1 className="login-title">Sign in</h1>
        <LoginForm notice={notice} onSuccess={(s) => navigate(destination(s, from), { replace: true })} />
      </div>
    </main>
  );
}
