import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { components } from "@/client/schema";
import { ParametersEditor } from "@/features/agent/components/ParametersEditor";
import { apiError, CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const BASE = `/clients/${CLIENT_ID}/agent`;

function read(version = 4, maxDailyLoss = "2000"): components["schemas"]["AgentParametersRead"] {
  return {
    version,
    risk_profile: "moderate",
    updated_at: "2026-06-01T14:30:00Z",
    parameters: {
      watchlist: ["SPY", "QQQ"],
      entry: {
        strategies: ["bull_put_spread"],
        target_delta_min: "0.10",
        target_delta_max: "0.20",
        min_dte: 21,
        max_dte: 45,
        min_credit: "0.20",
        min_credit_to_width: "0.15",
        wing_width: "5",
        edge: "0.25",
      },
      liquidity: { max_spread_pct: "0.15", min_open_interest: 50, min_volume: 0 },
      sizing: { max_contracts_per_trade: 2, max_risk_per_trade_pct: "2", max_risk_total_pct: "20" },
      management: {
        take_profit_pct: "50",
        stop_loss_multiple: "2",
        exit_dte: 7,
        close_when_tested: true,
        close_before_expiry_day: true,
        large_move_pct: "2",
      },
      risk: { allowed_underlyings: null, max_daily_loss: maxDailyLoss, max_open_positions: 20, allow_naked_puts: false },
      scan_interval_seconds: 300,
      proposal_ttl_seconds: 900,
    } as unknown as components["schemas"]["AgentParameters"],
    ranges: {
      "risk.max_daily_loss": { min: "0", max: "10000000" },
      "risk.max_open_positions": { min: "1", max: "500" },
      "sizing.max_risk_per_trade_pct": { min: "0.1", max: "25" },
      scan_interval_seconds: { min: "30", max: "86400" },
    },
  };
}

const STATUS = {
  mode: "approval",
  effective_mode: "approval",
  effective_reasons: [],
  autonomous_enabled: false,
  state: "running",
  state_reason: null,
  paused: false,
  trading_state: "ACTIVE",
  broker_state: "connected",
  last_scan_at: null,
  next_scan_at: null,
  last_scan: null,
  open_proposals: 0,
  open_positions: 3,
  pnl: { net_liquidation: "100000.00", realized: "-300.00", unrealized: "-200.00", currency: "USD" },
  parameters_version: 4,
};

function routes(post: () => Response) {
  return mockApi({
    [`GET ${BASE}/parameters`]: () => json(read()),
    [`GET ${BASE}/status`]: () => json(STATUS),
    [`POST ${BASE}/parameters`]: post,
  });
}

describe("ParametersEditor", () => {
  beforeEach(() => {
    signIn();
  });

  it("groups fields by section with their ranges and says what a change means", async () => {
    routes(() => json(read(5)));
    renderWithQuery(<ParametersEditor clientId={CLIENT_ID} />);
    const risk = await screen.findByRole("group", { name: "Risk limits" });
    const field = within(risk).getByLabelText("Max daily loss");
    expect(field).toHaveValue("2000");
    expect(within(risk).getByText("Allowed 0 – 10,000,000")).toBeInTheDocument();
    expect(await within(risk).findByText(/P&L now -500.00 .* 25% of this limit used/)).toBeInTheDocument();
    expect(screen.getByTestId("parameters-version")).toHaveTextContent("Version 4 · moderate profile");
    expect(screen.getByRole("button", { name: "No changes" })).toBeDisabled();
  });

  it("refuses an out-of-range value before sending", async () => {
    const api = routes(() => json(read(5)));
    renderWithQuery(<ParametersEditor clientId={CLIENT_ID} />);
    const field = await screen.findByLabelText("Max daily loss");
    await userEvent.clear(field);
    await userEvent.type(field, "20000000");
    await userEvent.click(screen.getByRole("button", { name: "Save 1 change" }));
    expect(screen.getByText("Must be 0 – 10,000,000.")).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(api.count(`POST ${BASE}/parameters`)).toBe(0);
  });

  it("sends only the changed fields, by section, with the version it edited", async () => {
    const api = routes(() => json(read(5, "1500")));
    renderWithQuery(<ParametersEditor clientId={CLIENT_ID} />);
    const field = await screen.findByLabelText("Max daily loss");
    await userEvent.clear(field);
    await userEvent.type(field, "1500");
    await userEvent.clear(screen.getByLabelText("Scan interval seconds"));
    await userEvent.type(screen.getByLabelText("Scan interval seconds"), "600");
    await userEvent.click(screen.getByRole("button", { name: "Save 2 changes" }));
    expect(await screen.findByText("Saved as version 5.")).toBeInTheDocument();
    const sent = api.calls.find((c) => c.method === "POST")!;
    expect(await sent.json()).toEqual({
      parameters: { risk: { max_daily_loss: "1500" }, scan_interval_seconds: 600 },
      expected_version: 4,
    });
    expect(screen.getByLabelText("Max daily loss")).toHaveValue("1500");
  });

  it("puts the server's 422 on the field it names, and rules across fields apart", async () => {
    routes(() =>
      apiError(422, "invalid_parameters", "Invalid agent parameters", [
        {
          field: "risk.max_daily_loss",
          message: "Decimal input should have no more than 2 decimal places",
          allowed: { min: "0", max: "10000000" },
        },
        { field: "sizing", message: "Value error, max_risk_per_trade_pct must not exceed max_risk_total_pct" },
      ]),
    );
    renderWithQuery(<ParametersEditor clientId={CLIENT_ID} />);
    const field = await screen.findByLabelText("Max daily loss");
    await userEvent.clear(field);
    await userEvent.type(field, "1500.555");
    await userEvent.click(screen.getByRole("button", { name: "Save 1 change" }));
    expect(
      await screen.findByText("Decimal input should have no more than 2 decimal places (allowed 0 – 10,000,000)"),
    ).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("sizing: max_risk_per_trade_pct must not exceed max_risk_total_pct")).toBeInTheDocument();
  });
});
