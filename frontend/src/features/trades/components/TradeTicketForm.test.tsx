import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { TradeTicketForm } from "@/features/trades/components/TradeTicketForm";
import { apiError, CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const POST = `POST /clients/${CLIENT_ID}/trades`;

function detail(overrides: Record<string, unknown> = {}) {
  return {
    id: "t1", status: "filled", origin: "user", strategy: null, underlying: "SPY", quantity: 2, order_type: "limit",
    time_in_force: "DAY", limit_price: "1.25", rationale: null, denial_reasons: [], legs: [], orders: [], fills: [],
    expires_at: null, decided_by: null, decided_at: null, created_at: "2026-01-05T14:30:00Z", updated_at: "2026-01-05T14:30:00Z",
    ...overrides,
  };
}

async function fillSpread(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Underlying"), "spy");
  await user.clear(screen.getByLabelText("Quantity"));
  await user.type(screen.getByLabelText("Quantity"), "2");
  await user.type(screen.getByLabelText("Net limit price"), "1.25");
  await user.type(screen.getByLabelText("Leg 1 expiry"), "2026-06-19");
  await user.type(screen.getByLabelText("Leg 1 strike"), "450");
  await user.click(screen.getByRole("button", { name: "Add leg" }));
  await user.type(screen.getByLabelText("Leg 2 expiry"), "2026-06-19");
  await user.type(screen.getByLabelText("Leg 2 strike"), "460");
}

describe("TradeTicketForm", () => {
  beforeEach(() => {
    signIn();
  });

  it("sends legs, quantity and the limit price as text", async () => {
    const { calls } = mockApi({ [POST]: () => json(detail(), 201) });
    renderWithQuery(<TradeTicketForm clientId={CLIENT_ID} />);
    const user = userEvent.setup();
    await fillSpread(user);
    await user.click(screen.getByRole("button", { name: "Send to the gate" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Trade entered: filled (SPY, 0 legs).");
    expect(await calls[0]!.json()).toEqual({
      legs: [
        { side: "buy", sec_type: "option", symbol: "SPY", ratio: 1, expiry: "2026-06-19", strike: "450", right: "C" },
        { side: "sell", sec_type: "option", symbol: "SPY", ratio: 1, expiry: "2026-06-19", strike: "460", right: "C" },
      ],
      quantity: 2,
      order_type: "limit",
      time_in_force: "DAY",
      limit_price: "1.25",
    });
    expect(calls[0]!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("shows every reason the gate denied the trade", async () => {
    const reasons = [
      { rule: "notional_per_order", code: "notional_per_order", message: "Notional 250000 exceeds the limit of 100000", details: { limit: "100000" } },
      { rule: "buying_power", code: "buying_power", message: "The trade needs 250000 but 99000 is available", details: {} },
    ];
    mockApi({ [POST]: () => json(detail({ status: "denied", denial_reasons: reasons }), 201) });
    renderWithQuery(<TradeTicketForm clientId={CLIENT_ID} />);
    const user = userEvent.setup();
    await fillSpread(user);
    await user.click(screen.getByRole("button", { name: "Send to the gate" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Denied by the risk gate.");
    const items = screen.getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("Notional 250000 exceeds the limit of 100000 (notional_per_order: notional_per_order; limit 100000)");
    expect(items[1]).toHaveTextContent("The trade needs 250000 but 99000 is available");
  });

  it("resends a failed ticket with the same key, so it is placed at most once", async () => {
    const { calls } = mockApi({ [POST]: [() => apiError(503, "service_unavailable", "Try again"), () => json(detail(), 201)] });
    renderWithQuery(<TradeTicketForm clientId={CLIENT_ID} />);
    const user = userEvent.setup();
    await fillSpread(user);
    await user.click(screen.getByRole("button", { name: "Send to the gate" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Try again");
    await user.click(screen.getByRole("button", { name: "Send to the gate" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Trade entered");
    expect(calls[1]!.headers.get("Idempotency-Key")).toBe(calls[0]!.headers.get("Idempotency-Key"));
  });

  it("stops a ticket without a symbol, strike or price before sending", async () => {
    const { calls } = mockApi({});
    renderWithQuery(<TradeTicketForm clientId={CLIENT_ID} />);
    await userEvent.click(screen.getByRole("button", { name: "Send to the gate" }));
    expect(screen.getByText("Enter a symbol, e.g. SPY.")).toBeInTheDocument();
    expect(screen.getByText("Enter the net limit price (+ debit, - credit).")).toBeInTheDocument();
    expect(screen.getByText("Enter a strike above 0.")).toBeInTheDocument();
    expect(screen.getByLabelText("Underlying")).toHaveFocus();
    expect(calls).toHaveLength(0);
  });
});
