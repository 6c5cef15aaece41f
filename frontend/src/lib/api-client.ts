/**
 * The typed API client (openapi-fetch over the generated `paths`), with the session's bearer token
 * and token refresh: a token about to expire is refreshed before the request; a 401 triggers one
 * refresh and one retry; a refresh the server refuses ends the session (the app goes to login).
 */
import createClient from "openapi-fetch";

import type { paths } from "@/client/schema";
import { ApiError, apiErrorFrom, networkError } from "@/lib/api-error";
import {
  expiresSoon,
  getSession,
  reloadSession,
  type Session,
  sessionFromTokens,
  setSession,
  type TokenResponse,
} from "@/lib/session";

/** The API origin: VITE_API_BASE_URL when set, else the page's own origin. */
export function baseUrl(): string {
  const configured = import.meta.env.VITE_API_BASE_URL as string | undefined;
  if (configured) return configured.replace(/\/$/, "");
  return typeof window !== "undefined" ? window.location.origin : "http://localhost";
}

// Looked up on every call (not captured at start-up) so tests can stub `fetch`.
async function send(request: Request): Promise<Response> {
  try {
    return await globalThis.fetch(request);
  } catch (cause) {
    throw networkError(cause);
  }
}

function withToken(request: Request, session: Session | null): Request {
  const headers = new Headers(request.headers);
  if (session) headers.set("Authorization", `Bearer ${session.accessToken}`);
  else headers.delete("Authorization");
  return new Request(request, { headers });
}

let inflight: Promise<Session | null> | null = null;

async function exclusive<T>(work: () => Promise<T>): Promise<T> {
  // One refresh at a time across tabs: the lock holder rotates the token, the others then see
  // the new one in storage instead of reusing the old (which would revoke the session).
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (locks?.request) return locks.request("greekdesk.refresh", work) as Promise<T>;
  return work();
}

async function performRefresh(staleAccessToken: string | null): Promise<Session | null> {
  const session = reloadSession();
  if (!session) return null;
  if (session.accessToken !== staleAccessToken && !expiresSoon(session)) return session;
  const response = await send(
    new Request(`${baseUrl()}/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ refresh_token: session.refreshToken }),
    }),
  );
  if (response.ok) {
    const tokens = (await response.json()) as TokenResponse;
    const next = sessionFromTokens(tokens, session.username);
    setSession(next);
    return next;
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 401 || response.status === 403 || response.status === 422) {
    // Expired, revoked or reused: this session is over. Other failures (5xx, 429, network)
    // leave it in place so a blip never logs anyone out.
    setSession(null, "expired");
    return null;
  }
  throw apiErrorFrom(response, body);
}

/**
 * Refresh the session once, however many callers ask at the same time. `staleAccessToken` is the
 * token the caller saw fail; if the session already moved past it, no new refresh is made.
 */
export function refreshSession(staleAccessToken: string | null = getSession()?.accessToken ?? null) {
  inflight ??= exclusive(() => performRefresh(staleAccessToken)).finally(() => {
    inflight = null;
  });
  return inflight;
}

const PUBLIC_PATHS = ["/auth/login", "/auth/refresh", "/auth/logout"];

function isPublic(request: Request): boolean {
  const path = new URL(request.url).pathname;
  return PUBLIC_PATHS.some((p) => path.endsWith(p));
}

/** fetch with the session's token, refresh-before-expiry and one refresh+retry on 401. */
export async function authFetch(request: Request): Promise<Response> {
  if (isPublic(request)) return send(request);
  let session = getSession();
  if (session && expiresSoon(session)) {
    session = await refreshSession(session.accessToken);
  }
  const retry = request.clone();
  const response = await send(withToken(request, session));
  if (response.status !== 401 || !session) return response;
  const refreshed = await refreshSession(session.accessToken);
  if (!refreshed) return response;
  return send(withToken(retry, refreshed));
}

export const api = createClient<paths>({ baseUrl: baseUrl(), fetch: authFetch });

/** Unwrap an openapi-fetch result: the data, or a thrown ApiError. */
export function unwrap<D>(result: { data?: D; error?: unknown; response: Response }): D {
  if (!result.response.ok || result.data === undefined) {
    throw apiErrorFrom(result.response, result.error);
  }
  return result.data;
}

export { ApiError };
