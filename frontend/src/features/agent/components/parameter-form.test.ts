import type { AgentParameters } from "@/features/agent/api/parameters";

import { checkField, fieldLabel, rangeText, sectionsOf } from "./parameter-form";

const doc = {
  watchlist: ["SPY"],
  risk: { max_daily_loss: "2000", price_collar_pct: "0.10", max_open_positions: 20, allow_naked_puts: false },
  sizing: { max_risk_per_trade_pct: "2" },
  scan_interval_seconds: 300,
} as unknown as AgentParameters;

const ranges = {
  "risk.max_daily_loss": { min: "0", max: "10000000" },
  "risk.price_collar_pct": { min: "0.01", max: "0.5" },
  "risk.max_open_positions": { min: "1", max: "500" },
  "sizing.max_risk_per_trade_pct": { min: "0.1", max: "25" },
};

describe("parameter form", () => {
  it("labels fields plainly and tells fractions from percentages", () => {
    expect(fieldLabel("max_daily_loss")).toBe("Max daily loss");
    const fields = sectionsOf(doc, ranges).flatMap((s) => s.fields);
    const label = (path: string) => fields.find((f) => f.path === path)!.label;
    expect(label("risk.price_collar_pct")).toBe("Price collar (fraction)");
    expect(label("sizing.max_risk_per_trade_pct")).toBe("Max risk per trade %");
  });

  it("orders sections risk first and puts top-level fields in the schedule section", () => {
    const sections = sectionsOf(doc, ranges);
    expect(sections.map((s) => s.key)).toEqual(["risk", "sizing", "general"]);
    expect(sections[2]!.fields.map((f) => f.path)).toEqual(["watchlist", "scan_interval_seconds"]);
  });

  it("checks kind and range before sending", () => {
    const fields = sectionsOf(doc, ranges).flatMap((s) => s.fields);
    const field = (path: string) => fields.find((f) => f.path === path)!;
    expect(checkField(field("risk.max_open_positions"), "2.5")).toBe("Enter a whole number.");
    expect(checkField(field("risk.max_open_positions"), "0")).toBe("Must be 1 – 500.");
    expect(checkField(field("risk.max_daily_loss"), "10000000.01")).toBe("Must be 0 – 10,000,000.");
    expect(checkField(field("risk.max_daily_loss"), "1500.25")).toBeNull();
    expect(checkField(field("watchlist"), "SPY, QQ Q")).toMatch(/commas/);
    expect(rangeText({ min: "0.1", max: "25", unit: "% of net liq" })).toBe("0.1 – 25 · % of net liq");
  });
});
