import { useSyncExternalStore } from "react";

import { getSession, type Session, subscribe } from "@/lib/session";

/** The current session, re-rendering when it changes (login, refresh, logout, another tab). */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession, getSession);
}
