import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { TradesTable } from "@/features/trades/components/TradesTable";
import { apiError, CLIENT_ID, json, mockApi, page, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const URL_KEY = `GET /clients/${CLIENT_ID}/trades`;

const spread = {
  id: "t1",
  status: "pending_approval",
  origin: "agent",
  strategy: "bull_call_spread",
  underlying: "SPY",
  quantity: 2,
  order_type: "limit",
  time_in_force: "day",
  limit_price: "1.5",
  rationale: null,
  denial_reasons: [],
  legs: [
    { leg_index: 0, side: "buy", ratio: 1, sec_type: "OPT", symbol: "SPY", instrument_key: "a", expiry: "2026-06-19", strike: "450", option_right: "C", multiplier: 100 },
    { leg_index: 1, side: "sell", ratio: 1, sec_type: "OPT", symbol: "SPY", instrument_key: "b", expiry: "2026-06-19", strike: "460", option_right: "C", multiplier: 100 },
  ],
  expires_at: null,
  decided_by: null,
  decided_at: null,
  created_at: "2026-01-05T14:30:00Z",
  updated_at: "2026-01-05T14:30:00Z",
};

describe("TradesTable", () => {
  beforeEach(() => {
    signIn();
  });

  it("says so when there are no trades", async () => {
    mockApi({ [URL_KEY]: () => json(page([])) });
    renderWithQuery(<TradesTable clientId={CLIENT_ID} />);
    expect(await screen.findByText("No trades yet.")).toBeInTheDocument();
  });

  it("lists legs, order and status", async () => {
    mockApi({ [URL_KEY]: () => json(page([spread])) });
    renderWithQuery(<TradesTable clientId={CLIENT_ID} />);
    await screen.findByText("LMT 1.50");
    const row = screen.getAllByRole("row")[1]!;
    expect(within(row).getByText("+1 SPY 2026-06-19 450 C")).toHaveClass("up");
    expect(within(row).getByText("-1 SPY 2026-06-19 460 C")).toHaveClass("down");
    expect(within(row).getByText("LMT 1.50")).toBeInTheDocument();
    expect(within(row).getByText("pending approval")).toBeInTheDocument();
  });

  it("filters by status and says when a filter matches nothing", async () => {
    const { calls } = mockApi({ [URL_KEY]: [() => json(page([spread])), () => json(page([]))] });
    renderWithQuery(<TradesTable clientId={CLIENT_ID} />);
    await screen.findByText("LMT 1.50");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "filled");
    expect(await screen.findByText("No filled trades.")).toBeInTheDocument();
    expect(new URL(calls.at(-1)!.url).searchParams.get("status")).toBe("filled");
  });

  it("shows an error with the request id", async () => {
    mockApi({ [URL_KEY]: () => apiError(404, "client_not_found", "No such client") });
    renderWithQuery(<TradesTable clientId={CLIENT_ID} />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("No such client");
    expect(alert).toHaveTextContent("req-client_not_found");
  });
});
