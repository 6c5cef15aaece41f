import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { getSession } from "@/lib/session";
import { apiError, CLIENT_ID, json, mockApi, page, signIn, tokens } from "@/test/fetch-mock";
import { brokerStatus, portfolio, tradingState } from "@/test/factories";
import { renderApp } from "@/test/render";

describe("routing", () => {
  it("sends a visitor without a session to the login page", async () => {
    const { router } = renderApp("/dashboard");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
  });

  it("takes a client user to the dashboard after signing in", async () => {
    mockApi({
      "POST /auth/login": () => json(tokens(1)),
      [`GET /clients/${CLIENT_ID}/positions`]: () => json(page([])),
      [`GET /clients/${CLIENT_ID}/trades`]: () => json(page([])),
      [`GET /clients/${CLIENT_ID}/portfolio`]: () => json(portfolio()),
      [`GET /clients/${CLIENT_ID}/broker`]: () => json(brokerStatus()),
      [`GET /clients/${CLIENT_ID}/trading-state`]: () => json(tradingState()),
    });
    const { router } = renderApp("/login");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "trader@example.com");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.keyboard("{Enter}");
    expect(await screen.findByText("No positions yet.")).toBeInTheDocument();
    expect(await screen.findByText("No trades yet.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/dashboard");
  });

  it("takes an operator to the operator console", async () => {
    mockApi({
      "POST /auth/login": () => json(tokens(1, "operator", null)),
      "GET /admin/clients": () => json(page([])),
    });
    const { router } = renderApp("/login");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ops@example.com");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Operator console" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/operator");
  });

  it("keeps a client user out of the operator console", async () => {
    signIn();
    mockApi({
      [`GET /clients/${CLIENT_ID}/positions`]: () => json(page([])),
      [`GET /clients/${CLIENT_ID}/trades`]: () => json(page([])),
      [`GET /clients/${CLIENT_ID}/portfolio`]: () => json(portfolio()),
      [`GET /clients/${CLIENT_ID}/broker`]: () => json(brokerStatus()),
      [`GET /clients/${CLIENT_ID}/trading-state`]: () => json(tradingState()),
    });
    const { router } = renderApp("/operator");
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/dashboard");
  });

  it("goes to login, saying why, when the session cannot be refreshed", async () => {
    signIn();
    mockApi({
      [`GET /clients/${CLIENT_ID}/positions`]: () => apiError(401, "token_expired", "expired"),
      [`GET /clients/${CLIENT_ID}/trades`]: () => apiError(401, "token_expired", "expired"),
      "POST /auth/refresh": () => apiError(401, "refresh_token_reused", "revoked"),
    });
    const { router } = renderApp("/dashboard");
    expect(await screen.findByText("Your session has ended. Sign in again to continue.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(getSession()).toBeNull();
  });

  it("signs out: revokes the refresh token and returns to login", async () => {
    signIn();
    const { calls } = mockApi({
      [`GET /clients/${CLIENT_ID}/positions`]: () => json(page([])),
      [`GET /clients/${CLIENT_ID}/trades`]: () => json(page([])),
      [`GET /clients/${CLIENT_ID}/portfolio`]: () => json(portfolio()),
      [`GET /clients/${CLIENT_ID}/broker`]: () => json(brokerStatus()),
      [`GET /clients/${CLIENT_ID}/trading-state`]: () => json(tradingState()),
      "POST /auth/logout": () => new Response(null, { status: 204 }),
    });
    const { router } = renderApp("/dashboard");
    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    const logout = calls.find((c) => c.url.endsWith("/auth/logout"))!;
    expect(await logout.json()).toEqual({ refresh_token: "refresh-1" });
  });

  it("shows a not-found page for an unknown address", async () => {
    signIn();
    renderApp("/nowhere");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});
