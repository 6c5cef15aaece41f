import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { PositionsTable } from "@/features/positions/components/PositionsTable";
import { apiError, CLIENT_ID, json, mockApi, page, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const URL_KEY = `GET /clients/${CLIENT_ID}/positions`;

function position(overrides: Record<string, unknown> = {}) {
  return {
    id: "p1",
    instrument_key: "OPT:SPY:20260619:450:C",
    sec_type: "OPT",
    symbol: "SPY   260619C00450000",
    underlying: "SPY",
    expiry: "2026-06-19",
    strike: "450.00",
    option_right: "C",
    multiplier: 100,
    quantity: "-3.00000000",
    average_cost: "2.4500",
    realized_pnl: "-87.1",
    opened_at: "2026-01-05T14:30:00Z",
    updated_at: "2026-01-06T15:00:00Z",
    ...overrides,
  };
}

describe("PositionsTable", () => {
  beforeEach(() => {
    signIn();
  });

  it("shows a loading state until the data arrives", async () => {
    let answer!: (r: Response) => void;
    mockApi({ [URL_KEY]: () => new Promise<Response>((resolve) => (answer = resolve)) });
    renderWithQuery(<PositionsTable clientId={CLIENT_ID} />);
    expect(screen.getByRole("status")).toHaveTextContent("Loading positions");
    expect(screen.getByRole("table", { name: "Positions" })).toHaveAttribute("aria-busy", "true");
    answer(json(page([])));
    expect(await screen.findByText("No positions yet.")).toBeInTheDocument();
  });

  it("says so when the client has no positions", async () => {
    mockApi({ [URL_KEY]: () => json(page([])) });
    renderWithQuery(<PositionsTable clientId={CLIENT_ID} />);
    expect(await screen.findByText("No positions yet.")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: /Positions\s*0/ })).toBeInTheDocument();
  });

  it("shows the error with its request id and retries on demand", async () => {
    const { count } = mockApi({
      [URL_KEY]: [() => apiError(500, "internal_error", "An internal error occurred"), () => json(page([position()]))],
    });
    renderWithQuery(<PositionsTable clientId={CLIENT_ID} />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load positions");
    expect(alert).toHaveTextContent("An internal error occurred");
    expect(alert).toHaveTextContent("req-internal_error");
    await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByText("SPY 2026-06-19 450 C")).toBeInTheDocument();
    expect(count(URL_KEY)).toBe(2);
  });

  it("formats numbers the way traders read them", async () => {
    mockApi({ [URL_KEY]: () => json(page([position(), position({ id: "p2", realized_pnl: "1520.456", quantity: "10" })])) });
    renderWithQuery(<PositionsTable clientId={CLIENT_ID} />);
    await screen.findAllByText("SPY 2026-06-19 450 C");
    const rows = screen.getAllByRole("row");
    const first = rows[1]!;
    expect(within(first).getByText("-3")).toHaveClass("down");
    expect(within(first).getByText("2.4500")).toBeInTheDocument();
    expect(within(first).getByText("-87.10")).toHaveClass("pnl", "down");
    expect(within(rows[2]!).getByText("+1,520.46")).toHaveClass("pnl", "up");
    const pnlCell = within(first).getByText("-87.10").closest("td")!;
    expect(pnlCell).toHaveClass("num");
  });

  it("pages through a long list", async () => {
    const { calls } = mockApi({
      [URL_KEY]: (request) => {
        const offset = Number(new URL(request.url).searchParams.get("offset"));
        return json(page([position({ id: `p${offset}` })], 120, 50, offset));
      },
    });
    renderWithQuery(<PositionsTable clientId={CLIENT_ID} />);
    expect(await screen.findByText("1–50 of 120")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Next/ }));
    expect(await screen.findByText("51–100 of 120")).toBeInTheDocument();
    expect(new URL(calls.at(-1)!.url).searchParams.get("offset")).toBe("50");
  });
});
