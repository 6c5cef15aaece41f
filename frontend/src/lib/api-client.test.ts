import { api, refreshSession, unwrap } from "@/lib/api-client";
import { ApiError } from "@/lib/api-error";
import { getSession, peekEndReason } from "@/lib/session";
import { apiError, CLIENT_ID, json, mockApi, page, signIn, tokens } from "@/test/fetch-mock";

const POSITIONS = `GET /clients/${CLIENT_ID}/positions`;

function getPositions() {
  return api.GET("/clients/{client_id}/positions", { params: { path: { client_id: CLIENT_ID } } });
}

function bearerOf(request: Request | undefined): string | null {
  return request?.headers.get("Authorization") ?? null;
}

describe("authFetch", () => {
  it("sends the access token as a bearer header", async () => {
    signIn();
    const { calls } = mockApi({ [POSITIONS]: () => json(page([])) });
    unwrap(await getPositions());
    expect(bearerOf(calls[0])).toBe("Bearer access-1");
  });

  it("on a 401 refreshes once, keeps the rotated tokens and retries the request", async () => {
    signIn();
    const { calls, count } = mockApi({
      [POSITIONS]: [() => apiError(401, "token_expired", "expired"), () => json(page([]))],
      "POST /auth/refresh": () => json(tokens(2)),
    });
    const result = unwrap(await getPositions());
    expect(result.total).toBe(0);
    expect(count("POST /auth/refresh")).toBe(1);
    const refreshCall = calls.find((c) => c.url.endsWith("/auth/refresh"))!;
    expect(await refreshCall.json()).toEqual({ refresh_token: "refresh-1" });
    expect(bearerOf(calls.at(-1))).toBe("Bearer access-2");
    expect(getSession()).toMatchObject({ accessToken: "access-2", refreshToken: "refresh-2" });
  });

  it("shares one refresh between requests that fail together", async () => {
    signIn();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { count } = mockApi({
      [POSITIONS]: (request) =>
        bearerOf(request) === "Bearer access-1" ? apiError(401, "token_expired", "expired") : json(page([])),
      "POST /auth/refresh": async () => {
        await gate;
        return json(tokens(2));
      },
    });
    const both = Promise.all([getPositions(), getPositions()]);
    await new Promise((r) => setTimeout(r, 10));
    release();
    const results = await both;
    expect(results.every((r) => r.response.ok)).toBe(true);
    expect(count("POST /auth/refresh")).toBe(1);
  });

  it("retries only once: a second 401 is returned to the caller", async () => {
    signIn();
    const { count } = mockApi({
      [POSITIONS]: () => apiError(401, "token_invalid", "no"),
      "POST /auth/refresh": () => json(tokens(2)),
    });
    const result = await getPositions();
    expect(result.response.status).toBe(401);
    expect(count(POSITIONS)).toBe(2);
    expect(count("POST /auth/refresh")).toBe(1);
  });

  it("ends the session when the refresh is refused (expired or reused token)", async () => {
    signIn();
    mockApi({
      [POSITIONS]: () => apiError(401, "token_expired", "expired"),
      "POST /auth/refresh": () => apiError(401, "refresh_token_reused", "This session was revoked"),
    });
    const result = await getPositions();
    expect(result.response.status).toBe(401);
    expect(getSession()).toBeNull();
    expect(peekEndReason()).toBe("expired");
    expect(localStorage.getItem("greekdesk.session")).toBeNull();
  });

  it("keeps the session when the refresh fails for a server error", async () => {
    signIn();
    mockApi({
      [POSITIONS]: () => apiError(401, "token_expired", "expired"),
      "POST /auth/refresh": () => apiError(503, "service_unavailable", "down"),
    });
    await expect(getPositions()).rejects.toBeInstanceOf(ApiError);
    expect(getSession()?.refreshToken).toBe("refresh-1");
  });

  it("refreshes before sending when the access token is about to expire", async () => {
    signIn({ accessExpiresAt: Date.now() + 5_000 });
    const { calls } = mockApi({
      [POSITIONS]: () => json(page([])),
      "POST /auth/refresh": () => json(tokens(2)),
    });
    unwrap(await getPositions());
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(["/auth/refresh", `/clients/${CLIENT_ID}/positions`]);
    expect(bearerOf(calls[1])).toBe("Bearer access-2");
  });

  it("uses tokens another tab already rotated instead of reusing the old refresh token", async () => {
    signIn();
    const { count } = mockApi({ "POST /auth/refresh": () => json(tokens(9)) });
    // Another tab rotated the tokens: storage holds the new pair, this tab still has access-1.
    localStorage.setItem(
      "greekdesk.session",
      JSON.stringify({ ...getSession(), accessToken: "access-2", refreshToken: "refresh-2" }),
    );
    const session = await refreshSession("access-1");
    expect(session?.accessToken).toBe("access-2");
    expect(count("POST /auth/refresh")).toBe(0);
  });

  it("turns the error body into an ApiError with message and request id", async () => {
    signIn();
    mockApi({ [POSITIONS]: () => apiError(404, "client_not_found", "No such client") });
    try {
      unwrap(await getPositions());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 404, code: "client_not_found", message: "No such client", requestId: "req-client_not_found" });
    }
  });

  it("reports an unreachable server as a network error", async () => {
    signIn();
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(getPositions()).rejects.toMatchObject({ code: "network_error", status: 0 });
  });
});
