import { addDecimals, type AccountPoint, periodChange, subtractDecimals, toChartPoints } from "./chart-data";

function point(at: string, net: string, realized = "0", unrealized = "0"): AccountPoint {
  return { at, net_liquidation: net, realized, unrealized };
}

const T0 = Date.parse("2026-12-01T15:00:00Z") / 1000;

describe("toChartPoints", () => {
  it("draws net liquidation in time order, one point per second, the later one winning", () => {
    const history = [
      point("2026-12-01T15:05:00Z", "100005"),
      point("2026-12-01T15:00:00Z", "100000"),
      point("2026-12-01T15:05:00.400Z", "100006.5"),
    ];
    expect(toChartPoints(history, "net_liquidation")).toEqual([
      { time: T0, value: 100000 },
      { time: T0 + 300, value: 100006.5 },
    ]);
  });

  it("draws total P&L as realised plus unrealised", () => {
    const history = [point("2026-12-01T15:00:00Z", "100000", "12.5", "-20.25")];
    expect(toChartPoints(history, "pnl")).toEqual([{ time: T0, value: -7.75 }]);
  });

  it("extends the line with the live balances only when they are newer than the last point", () => {
    const history = [point("2026-12-01T15:00:00Z", "100000")];
    expect(toChartPoints(history, "net_liquidation", point("2026-12-01T15:02:00Z", "100100"))).toEqual([
      { time: T0, value: 100000 },
      { time: T0 + 120, value: 100100 },
    ]);
    expect(toChartPoints(history, "net_liquidation", point("2026-12-01T14:59:00Z", "1"))).toEqual([
      { time: T0, value: 100000 },
    ]);
    expect(toChartPoints([], "net_liquidation", point("2026-12-01T15:00:00Z", "5"))).toEqual([{ time: T0, value: 5 }]);
  });

  it("leaves out points whose time or value cannot be read", () => {
    const history = [point("not a time", "1"), point("2026-12-01T15:00:00Z", "abc"), point("2026-12-01T15:00:00Z", "2")];
    expect(toChartPoints(history, "pnl")).toEqual([{ time: T0, value: 0 }]);
    expect(toChartPoints(history, "net_liquidation")).toEqual([{ time: T0, value: 2 }]);
  });
});

describe("exact decimal figures", () => {
  it("adds and subtracts decimal strings without floating point error", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(subtractDecimals("100000.000000", "100250.5")).toBe("-250.500000");
    expect(subtractDecimals("-0.05", "-0.05")).toBe("0.00");
    expect(addDecimals("1E+2", "-0.01")).toBe("99.99");
  });

  it("gives the change from the first point to the last, or nothing with fewer than two", () => {
    const points = [point("2026-12-01T15:00:00Z", "100000.10", "0", "0"), point("2026-12-01T15:05:00Z", "99999.9", "1", "-3.5")];
    expect(periodChange(points, "net_liquidation")).toBe("-0.20");
    expect(periodChange(points, "pnl")).toBe("-2.5");
    expect(periodChange(points.slice(0, 1), "net_liquidation")).toBeNull();
  });
});
