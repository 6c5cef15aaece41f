import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { components } from "@/client/schema";
import { ProposalQueue } from "@/features/agent/components/ProposalQueue";
import { apiError, CLIENT_ID, json, mockApi, page, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const LIST = `GET /clients/${CLIENT_ID}/trades`;

function proposal(overrides: Partial<components["schemas"]["TradeRead"]> = {}): components["schemas"]["TradeRead"] {
  return {
    id: "p1",
    status: "pending_approval",
    origin: "agent",
    strategy: "bull_put_spread",
    underlying: "SPY",
    quantity: 2,
    order_type: "limit",
    time_in_force: "DAY",
    limit_price: "-1.250000",
    rationale: "Sell the 440/435 put spread for a 1.25 credit.",
    denial_reasons: [],
    legs: [
      { leg_index: 0, side: "sell", ratio: 1, sec_type: "option", symbol: "SPY", instrument_key: "a", expiry: "2026-06-19", strike: "440.000000", option_right: "P", multiplier: 100 },
      { leg_index: 1, side: "buy", ratio: 1, sec_type: "option", symbol: "SPY", instrument_key: "b", expiry: "2026-06-19", strike: "435.000000", option_right: "P", multiplier: 100 },
    ],
    expires_at: new Date(Date.now() + 5 * 60_000).toISOString(),
    metrics: {
      expiry: "2026-06-19",
      max_profit: "250.00",
      max_loss: "750.00",
      breakevens: ["438.7500"],
      probability_of_profit: 0.6825,
      expected_value: "12.40",
      return_on_risk: "0.3333",
      capital_at_risk: "750.00",
      greeks: { delta: "8.10", gamma: "-0.40", vega: "-5.20", theta: "3.05" },
      payoff: [
        { price: "430", pnl: "-750" },
        { price: "435", pnl: "-750" },
        { price: "440", pnl: "250" },
        { price: "450", pnl: "250" },
      ],
    },
    decided_by: null,
    decided_at: null,
    created_at: "2026-06-01T14:30:00Z",
    updated_at: "2026-06-01T14:30:00Z",
    ...overrides,
  };
}

describe("ProposalQueue", () => {
  beforeEach(() => {
    signIn();
  });

  it("shows each figure a decision needs, in trader wording", async () => {
    const api = mockApi({ [LIST]: () => json(page([proposal()])) });
    renderWithQuery(<ProposalQueue clientId={CLIENT_ID} />);
    const card = await screen.findByRole("article", { name: /SPY bull put spread/ });
    expect(new URL(api.calls[0]!.url).searchParams.get("status")).toBe("pending_approval");
    expect(within(card).getByText("Credit 1.25")).toBeInTheDocument();
    expect(within(card).getByText("250.00")).toBeInTheDocument();
    expect(within(card).getByText("-750.00")).toBeInTheDocument();
    expect(within(card).getByText("438.75")).toBeInTheDocument();
    expect(within(card).getByText("68.3%")).toBeInTheDocument();
    expect(within(card).getByText("33.3%")).toBeInTheDocument();
    expect(within(card).getByText("+3.05")).toBeInTheDocument();
    expect(within(card).getByText(/^[45] min( \d+ s)? left$/)).toBeInTheDocument();
    expect(within(card).getByText("Sell 1 SPY 2026-06-19 440 P")).toBeInTheDocument();
    expect(within(card).getByText(/put spread for a 1.25 credit/)).toBeInTheDocument();
    expect(within(card).getByRole("img", { name: /breakeven 438.75/ })).toBeInTheDocument();
  });

  it("says debit for a positive limit and disables an expired proposal", async () => {
    mockApi({
      [LIST]: () => json(page([proposal({ limit_price: "0.80", expires_at: "2020-01-01T00:00:00Z" })])),
    });
    renderWithQuery(<ProposalQueue clientId={CLIENT_ID} />);
    const card = await screen.findByRole("article");
    expect(within(card).getByText("Debit 0.80")).toBeInTheDocument();
    expect(within(card).getByText("Expired")).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: /^Approve/ })).toBeDisabled();
  });

  it("approves, then says what happened once the card has left the queue", async () => {
    const api = mockApi({
      [LIST]: [() => json(page([proposal()])), () => json(page([]))],
      [`POST /clients/${CLIENT_ID}/agent/approve/p1`]: () => json({ ...proposal(), status: "submitted", orders: [], fills: [] }),
    });
    renderWithQuery(<ProposalQueue clientId={CLIENT_ID} />);
    await userEvent.click(await screen.findByRole("button", { name: "Approve SPY bull put spread" }));
    expect(await screen.findByText("Approved SPY bull put spread: submitted.")).toBeInTheDocument();
    expect(api.count(`POST /clients/${CLIENT_ID}/agent/approve/p1`)).toBe(1);
    expect(await screen.findByText(/No proposals waiting/)).toBeInTheDocument();
  });

  it("shows a 409 plainly: the proposal was already decided or expired", async () => {
    const api = mockApi({
      [LIST]: () => json(page([proposal()])),
      [`POST /clients/${CLIENT_ID}/agent/reject/p1`]: () =>
        apiError(409, "trade_not_pending", "Trade is not pending approval", { status: "expired" }),
    });
    renderWithQuery(<ProposalQueue clientId={CLIENT_ID} />);
    await userEvent.click(await screen.findByRole("button", { name: "Reject SPY bull put spread" }));
    await userEvent.type(screen.getByLabelText("Reason (optional)"), "too close to earnings");
    await userEvent.click(screen.getByRole("button", { name: "Confirm reject" }));
    expect(await screen.findByText("Too late: this proposal is already expired.")).toBeInTheDocument();
    const sent = api.calls.find((c) => c.method === "POST")!;
    expect(await sent.json()).toEqual({ reason: "too close to earnings" });
  });
});
