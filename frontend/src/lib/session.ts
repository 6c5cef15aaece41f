/**
 * The signed-in session: tokens, role and tenant. Kept in localStorage so a reload or a second tab
 * keeps working, and shared between tabs through the `storage` event (a refresh in one tab rotates
 * the refresh token for all of them; reusing the old one would revoke the whole session).
 */

export type Role = "client" | "operator";

export interface Session {
  accessToken: string;
  /** Epoch milliseconds when the access token expires. */
  accessExpiresAt: number;
  refreshToken: string;
  clientId: string | null;
  role: Role | string;
  username: string;
}

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in: number;
  refresh_token: string;
  client_id?: string | null;
  role: string;
}

/** Why the last session ended, for the login page to say so. */
export type EndReason = "logout" | "expired";

const STORAGE_KEY = "greekdesk.session";

type Listener = () => void;
const listeners = new Set<Listener>();
let current: Session | null = read();
let endReason: EndReason | null = null;

function read(): Session | null {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.accessToken !== "string" || typeof value.refreshToken !== "string") return null;
    return value as Session;
  } catch {
    return null;
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

/** Build a session from a login or refresh response. */
export function sessionFromTokens(tokens: TokenResponse, username: string, now = Date.now()): Session {
  return {
    accessToken: tokens.access_token,
    accessExpiresAt: now + tokens.expires_in * 1000,
    refreshToken: tokens.refresh_token,
    clientId: tokens.client_id ?? null,
    role: tokens.role,
    username,
  };
}

export function getSession(): Session | null {
  return current;
}

/** Re-read the stored session (another tab may have rotated the tokens). */
export function reloadSession(): Session | null {
  const stored = read();
  if (stored?.refreshToken !== current?.refreshToken || stored?.accessToken !== current?.accessToken) {
    current = stored;
    emit();
  }
  return current;
}

export function setSession(session: Session | null, reason: EndReason | null = null): void {
  current = session;
  endReason = session ? null : reason;
  try {
    if (session) globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(session));
    else globalThis.localStorage?.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be full or disabled (private mode): the session still lives in memory.
  }
  emit();
}

/** Why the previous session ended (once: reading clears it). */
export function takeEndReason(): EndReason | null {
  const reason = endReason;
  endReason = null;
  return reason;
}

export function peekEndReason(): EndReason | null {
  return endReason;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** True when the access token expires within `marginMs`. */
export function expiresSoon(session: Session, marginMs = 30_000, now = Date.now()): boolean {
  return session.accessExpiresAt - now <= marginMs;
}

if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key !== STORAGE_KEY && event.key !== null) return;
    const before = current;
    current = read();
    if (before && !current) endReason = "logout";
    emit();
  });
}
