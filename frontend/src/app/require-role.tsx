import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";

import { homePathFor } from "@/app/home-path";
import { type Role } from "@/lib/session";
import { useSession } from "@/lib/use-session";

/** Render children for a signed-in user of `role`; send others to login or to their own home. */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (session.role !== role) return <Navigate to={homePathFor(session)} replace />;
  return children;
}
