import { screen, within } from "@testing-library/react";

import type { LimitUsage, RiskUsage } from "@/features/risk-usage/api/get-risk-usage";
import { LimitsUsage } from "@/features/risk-usage/components/LimitsUsage";
import { usageLevel } from "@/features/risk-usage/components/LimitsUsageList";
import { CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

function item(overrides: Partial<LimitUsage> & Pick<LimitUsage, "key" | "label">): LimitUsage {
  return { unit: "count", limit: "10", value: "0", used: "0", ratio: 0, reason: null, ...overrides };
}

const usage: RiskUsage = {
  client_id: CLIENT_ID,
  as_of: "2026-01-05T14:30:00Z",
  broker_connected: true,
  currency: "USD",
  net_liquidation: "100000",
  items: [
    item({ key: "daily_loss", label: "Daily loss", unit: "money", limit: "2000", value: "-1850.5", used: "1850.5", ratio: 0.92525 }),
    item({ key: "open_positions", label: "Open positions", limit: "20", value: "16", used: "16", ratio: 0.8 }),
    item({ key: "portfolio_delta", label: "Portfolio delta", unit: "greek", limit: "50000", value: "-1200.25", used: "1200.25", ratio: 0.024005 }),
  ],
};

describe("LimitsUsage", () => {
  beforeEach(() => {
    signIn();
  });

  it("shows each limit with its usage, coloured by how close it is", async () => {
    mockApi({ [`GET /clients/${CLIENT_ID}/risk/usage`]: () => json(usage) });
    renderWithQuery(<LimitsUsage clientId={CLIENT_ID} />);

    const loss = await screen.findByRole("meter", { name: "Daily loss" });
    expect(loss).toHaveAttribute("aria-valuenow", "93");
    expect(loss).toHaveClass("usage-bad");
    const rows = screen.getAllByRole("listitem");
    expect(rows[0]).toHaveTextContent("1,850.50 of 2,000.00 · Today's P&L -1,850.50");
    expect(screen.getByRole("meter", { name: "Open positions" })).toHaveClass("usage-warn");
    expect(within(rows[1]!).getByText("80%")).toBeInTheDocument();
    expect(screen.getByRole("meter", { name: "Portfolio delta" })).toHaveClass("usage-ok");
    expect(rows[2]).toHaveTextContent("1,200.25 of 50,000 · Net -1,200.25");
  });

  it("says why a usage is unknown while the broker is down", async () => {
    mockApi({
      [`GET /clients/${CLIENT_ID}/risk/usage`]: () =>
        json({
          ...usage,
          broker_connected: false,
          items: [item({ key: "daily_loss", label: "Daily loss", unit: "money", value: null, used: null, ratio: null, reason: "The broker is not connected (disconnected)" })],
        }),
    });
    renderWithQuery(<LimitsUsage clientId={CLIENT_ID} />);
    expect(await screen.findByText("The broker is not connected (disconnected)")).toBeInTheDocument();
    expect(screen.getByRole("meter", { name: "Daily loss" })).toHaveClass("usage-unknown");
    expect(screen.getByText(/loss, greeks and the capital budget are unknown/)).toBeInTheDocument();
  });

  it("bands ratios at 75% and 90%", () => {
    expect(usageLevel(0.74)).toBe("ok");
    expect(usageLevel(0.75)).toBe("warn");
    expect(usageLevel(0.9)).toBe("bad");
    expect(usageLevel(Infinity)).toBe("bad");
    expect(usageLevel(null)).toBe("unknown");
  });
});
