import { decimalSign, formatCost, formatDecimal, formatMoney, formatPnl, formatPrice, formatQuantity, parseDecimal } from "@/lib/decimal";

describe("formatDecimal", () => {
  it.each([
    ["1234.5", { minFractionDigits: 2 }, "1,234.50"],
    ["1234567.891", { minFractionDigits: 2, maxFractionDigits: 2 }, "1,234,567.89"],
    ["1.005", { minFractionDigits: 2, maxFractionDigits: 2 }, "1.01"],
    ["-1.005", { minFractionDigits: 2, maxFractionDigits: 2 }, "-1.01"],
    ["0.995", { minFractionDigits: 2, maxFractionDigits: 2 }, "1.00"],
    ["999.999", { minFractionDigits: 2, maxFractionDigits: 2 }, "1,000.00"],
    ["0.1", { minFractionDigits: 2 }, "0.10"],
    ["-0.001", { minFractionDigits: 2, maxFractionDigits: 2 }, "0.00"],
    ["12.50000000", { maxFractionDigits: 8 }, "12.5"],
    ["1E+2", { minFractionDigits: 2 }, "100.00"],
    ["0E-8", { minFractionDigits: 2 }, "0.00"],
    ["1.5E-3", { maxFractionDigits: 6 }, "0.0015"],
    ["1234", { grouping: false }, "1234"],
  ] as const)("formats %s with %o as %s", (value, options, expected) => {
    expect(formatDecimal(value, options)).toBe(expected);
  });

  it("keeps precision a float would lose", () => {
    expect(formatDecimal("12345678901234567.89", { minFractionDigits: 2 })).toBe("12,345,678,901,234,567.89");
    expect(formatDecimal("0.30000000000000004", { maxFractionDigits: 17 })).toBe("0.30000000000000004");
  });

  it("signs positive values only when asked and never signs zero", () => {
    expect(formatDecimal("5", { signed: true })).toBe("+5");
    expect(formatDecimal("-5", { signed: true })).toBe("-5");
    expect(formatDecimal("0.00", { signed: true, minFractionDigits: 2 })).toBe("0.00");
  });

  it("returns text that is not a decimal unchanged", () => {
    expect(formatDecimal("NaN")).toBe("NaN");
    expect(formatDecimal("abc")).toBe("abc");
    expect(parseDecimal("")).toBeNull();
    expect(parseDecimal(".")).toBeNull();
  });
});

describe("trader formats", () => {
  it("shows prices with two to four decimals", () => {
    expect(formatPrice("2.5")).toBe("2.50");
    expect(formatPrice("0.0525")).toBe("0.0525");
    expect(formatPrice("0.05251")).toBe("0.0525");
    expect(formatPrice(null)).toBe("—");
  });

  it("shows average costs with a fixed four decimals", () => {
    expect(formatCost("1.225")).toBe("1.2250");
    expect(formatCost("512.33")).toBe("512.3300");
    expect(formatCost("0.123456")).toBe("0.1235");
  });

  it("shows P&L signed with two decimals", () => {
    expect(formatPnl("1520.456")).toBe("+1,520.46");
    expect(formatPnl("-87.1")).toBe("-87.10");
    expect(formatPnl("0")).toBe("0.00");
  });

  it("shows quantities without padding", () => {
    expect(formatQuantity("-3.00000000")).toBe("-3");
    expect(formatQuantity("1.5")).toBe("1.5");
    expect(formatQuantity(10)).toBe("10");
  });

  it("tells the sign of a decimal string", () => {
    expect(decimalSign("-0.01")).toBe(-1);
    expect(decimalSign("0.000")).toBe(0);
    expect(decimalSign("-0")).toBe(0);
    expect(decimalSign("3")).toBe(1);
    expect(decimalSign(null)).toBe(0);
  });
});

describe("formatMoney", () => {
  it("shows balances grouped with two decimals, without a float", () => {
    expect(formatMoney("1234567.805")).toBe("1,234,567.81");
    expect(formatMoney("100000")).toBe("100,000.00");
    expect(formatMoney("-0.004")).toBe("0.00");
    expect(formatMoney(null)).toBe("—");
  });
});
