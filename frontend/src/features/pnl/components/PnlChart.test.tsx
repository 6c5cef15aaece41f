import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { components } from "@/client/schema";
import { apiError, CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { brokerStatus } from "@/test/factories";
import { renderWithQuery } from "@/test/render";

import { PnlChart } from "./PnlChart";

// jsdom has no canvas: the chart library is replaced by a recorder of what it was asked to draw.
const drawn = vi.hoisted(() => ({ data: [] as unknown[], baselines: [] as unknown[], removed: 0 }));
vi.mock("lightweight-charts", () => ({
  ColorType: { Solid: "solid" },
  BaselineSeries: { type: "Baseline" },
  createChart: () => ({
    addSeries: () => ({
      setData: (data: unknown) => drawn.data.push(data),
      applyOptions: (options: { baseValue: unknown }) => drawn.baselines.push(options.baseValue),
    }),
    timeScale: () => ({ fitContent: () => undefined }),
    remove: () => {
      drawn.removed += 1;
    },
  }),
}));

type Point = components["schemas"]["PnlPointRead"];
const HISTORY = `GET /clients/${CLIENT_ID}/pnl-history`;
const T0 = Date.parse("2026-01-05T14:00:00Z") / 1000;

function snapshot(at: string, net: string, realized = "0", unrealized = "0"): Point {
  return { at, net_liquidation: net, realized, unrealized, currency: "USD" };
}

describe("PnlChart", () => {
  beforeEach(() => {
    signIn();
    drawn.data = [];
    drawn.baselines = [];
    drawn.removed = 0;
  });

  it("draws the history extended by the live balances and states the period's change exactly", async () => {
    const { calls } = mockApi({
      [HISTORY]: () =>
        json({ points: [snapshot("2026-01-05T14:00:00Z", "100000.1"), snapshot("2026-01-05T14:05:00Z", "100100")] }),
    });
    renderWithQuery(<PnlChart clientId={CLIENT_ID} account={brokerStatus().account} />);
    expect(await screen.findByRole("heading", { name: "P&L over time" })).toBeInTheDocument();
    // The live end is the broker's 100,250.50 at 14:30.
    expect(await screen.findByText("+250.40")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Net liquidation over time, 3 points" })).toBeInTheDocument();
    await waitFor(() =>
      expect(drawn.data.at(-1)).toEqual([
        { time: T0, value: 100000.1 },
        { time: T0 + 300, value: 100100 },
        { time: T0 + 1800, value: 100250.5 },
      ]),
    );
    expect(drawn.baselines.at(-1)).toEqual({ type: "price", price: 100000.1 });
    expect(new URL(calls[0]!.url).searchParams.get("limit")).toBe("2000");
  });

  it("switches to total P&L around zero", async () => {
    mockApi({ [HISTORY]: () => json({ points: [snapshot("2026-01-05T14:00:00Z", "100000", "10", "-2.5")] }) });
    renderWithQuery(<PnlChart clientId={CLIENT_ID} account={null} />);
    await screen.findByRole("img", { name: "Net liquidation over time, 1 point" });
    await userEvent.click(screen.getByRole("button", { name: "P&L" }));
    expect(screen.getByRole("button", { name: "P&L" })).toHaveAttribute("aria-pressed", "true");
    await waitFor(() => expect(drawn.data.at(-1)).toEqual([{ time: T0, value: 7.5 }]));
    expect(drawn.baselines.at(-1)).toEqual({ type: "price", price: 0 });
    expect(screen.getByText("One point so far; the line grows as points are recorded.")).toBeInTheDocument();
  });

  it("says plainly when nothing has been recorded yet", async () => {
    mockApi({ [HISTORY]: () => json({ points: [] }) });
    renderWithQuery(<PnlChart clientId={CLIENT_ID} account={null} />);
    expect(await screen.findByText(/No P&L history yet/)).toBeInTheDocument();
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
  });

  it("shows the API's error with a retry that loads the history", async () => {
    mockApi({
      [HISTORY]: [
        () => apiError(503, "database_unavailable", "The database is not answering"),
        () => json({ points: [snapshot("2026-01-05T14:00:00Z", "5")] }),
      ],
    });
    renderWithQuery(<PnlChart clientId={CLIENT_ID} account={null} />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the P&L history: The database is not answering");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("img", { name: "Net liquidation over time, 1 point" })).toBeInTheDocument();
  });

  it("shows a loading state until the history arrives", async () => {
    let release: (r: Response) => void = () => undefined;
    mockApi({ [HISTORY]: () => new Promise<Response>((resolve) => (release = resolve)) });
    renderWithQuery(<PnlChart clientId={CLIENT_ID} account={null} />);
    expect(screen.getByLabelText("Loading P&L history")).toBeInTheDocument();
    release(json({ points: [] }));
    expect(await screen.findByText(/No P&L history yet/)).toBeInTheDocument();
  });
});
