import { vi } from "vitest";

import { type Session, setSession } from "@/lib/session";

export type Handler = (request: Request) => Response | Promise<Response>;

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** The API's error body. */
export function apiError(
  status: number,
  code: string,
  message: string,
  details: unknown = null,
  headers: Record<string, string> = {},
): Response {
  return json({ error: { code, message, details, request_id: `req-${code}` } }, status, headers);
}

/**
 * Stub `fetch` with handlers keyed "METHOD /path"; a handler may be a list, used in turn (the last
 * one repeats). Returns the requests seen, in order.
 */
export function mockApi(routes: Record<string, Handler | Handler[]>) {
  const calls: Request[] = [];
  const counters = new Map<string, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    calls.push(request.clone());
    const key = `${request.method} ${new URL(request.url).pathname}`;
    const entry = routes[key];
    if (!entry) throw new Error(`unexpected request ${key}`);
    const list = Array.isArray(entry) ? entry : [entry];
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    const handler = list[Math.min(n, list.length - 1)]!;
    return handler(request);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock, count: (key: string) => counters.get(key) ?? 0 };
}

export const CLIENT_ID = "7b0c3a52-5d3e-4b55-9a59-2f4f7d1c9e10";

export function signIn(overrides: Partial<Session> = {}): Session {
  const session: Session = {
    accessToken: "access-1",
    accessExpiresAt: Date.now() + 15 * 60 * 1000,
    refreshToken: "refresh-1",
    clientId: CLIENT_ID,
    role: "client",
    username: "trader@example.com",
    ...overrides,
  };
  setSession(session);
  return session;
}

export function tokens(n: number, role = "client", clientId: string | null = CLIENT_ID) {
  return {
    access_token: `access-${n}`,
    token_type: "bearer",
    expires_in: 900,
    refresh_token: `refresh-${n}`,
    client_id: clientId,
    role,
  };
}

export function page<T>(items: T[], total = items.length, limit = 50, offset = 0) {
  return { items, total, limit, offset };
}
