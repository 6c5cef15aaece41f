import type { Session } from "@/lib/session";

/** Where a signed-in user belongs: operators to the console, client users to their dashboard. */
export function homePathFor(session: Session | null): string {
  if (!session) return "/login";
  return session.role === "operator" ? "/operator" : "/dashboard";
}
