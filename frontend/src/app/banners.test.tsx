import { screen } from "@testing-library/react";

import { CLIENT_ID, json, mockApi, page, signIn } from "@/test/fetch-mock";
import { brokerStatus, portfolio, tradingState } from "@/test/factories";
import { renderApp } from "@/test/render";

function dashboardApi(overrides: Record<string, () => Response> = {}) {
  return mockApi({
    [`GET /clients/${CLIENT_ID}/positions`]: () => json(page([])),
    [`GET /clients/${CLIENT_ID}/trades`]: () => json(page([])),
    [`GET /clients/${CLIENT_ID}/portfolio`]: () => json(portfolio()),
    [`GET /clients/${CLIENT_ID}/broker`]: () => json(brokerStatus()),
    [`GET /clients/${CLIENT_ID}/trading-state`]: () => json(tradingState()),
    ...overrides,
  });
}

describe("the app shell's banners", () => {
  beforeEach(() => {
    signIn();
  });

  it("shows no banner while trading is active and the broker connected", async () => {
    dashboardApi();
    renderApp("/dashboard");
    expect(await screen.findByText("100,250.50")).toBeInTheDocument();
    expect(screen.queryByRole("alert", { name: "Trading state" })).not.toBeInTheDocument();
    expect(screen.queryByRole("alert", { name: "Broker connection" })).not.toBeInTheDocument();
  });

  it("says trading is halted, by whom it was set and why", async () => {
    dashboardApi({
      [`GET /clients/${CLIENT_ID}/trading-state`]: () => json(tradingState("ACTIVE", "HALTED", "exchange outage")),
    });
    renderApp("/dashboard");
    const banner = await screen.findByRole("alert", { name: "Trading state" });
    expect(banner).toHaveTextContent("Trading is halted");
    expect(banner).toHaveTextContent("Set for all clients: “exchange outage”");
  });

  it("says trading is reducing only for this account", async () => {
    dashboardApi({ [`GET /clients/${CLIENT_ID}/trading-state`]: () => json(tradingState("REDUCING", "ACTIVE", "loss limit")) });
    renderApp("/dashboard");
    const banner = await screen.findByRole("alert", { name: "Trading state" });
    expect(banner).toHaveTextContent("Trading is reducing only");
    expect(banner).toHaveTextContent("Set for this account: “loss limit”");
  });

  it("says the broker is disconnected, with its last error and a way to settings", async () => {
    dashboardApi({
      [`GET /clients/${CLIENT_ID}/broker`]: () =>
        json(brokerStatus({ state: "disconnected", last_error: "socket closed", account: null })),
    });
    renderApp("/dashboard");
    const banner = await screen.findByRole("alert", { name: "Broker connection" });
    expect(banner).toHaveTextContent("Simulator is disconnected");
    expect(banner).toHaveTextContent("socket closed");
    expect(screen.getByRole("link", { name: "Broker settings" })).toHaveAttribute("href", "/settings");
  });

  it("sends a client without a broker to onboarding", async () => {
    dashboardApi({
      [`GET /clients/${CLIENT_ID}/broker`]: () => json(brokerStatus({ kind: null, state: "not_configured", account: null })),
    });
    const { router } = renderApp("/dashboard");
    expect(await screen.findByRole("heading", { name: "Set up your account" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/onboarding");
  });
});
