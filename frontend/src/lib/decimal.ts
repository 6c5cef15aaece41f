/**
 * Decimal strings from the API (money, prices, quantities) stay strings: rounding and grouping
 * here work on the digits, never through a float, so "0.1" + display never turns into 0.1000000001.
 */

export type DecimalString = string;

interface ParsedDecimal {
  negative: boolean;
  /** All significant digits, without sign or point; "0" when the value is zero. */
  digits: string;
  /** How many of `digits` sit after the decimal point (may exceed digits.length). */
  scale: number;
}

const DECIMAL = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parse "1234.5", "-0.05", "1E+2", "0E-8"; null when the text is not a finite decimal. */
export function parseDecimal(value: string): ParsedDecimal | null {
  const match = DECIMAL.exec(value);
  if (!match) return null;
  const [, sign, intPart = "", fracPart = "", exponent] = match;
  if (intPart === "" && fracPart === "") return null;
  let scale = fracPart.length - (exponent ? Number.parseInt(exponent, 10) : 0);
  let digits = (intPart + fracPart).replace(/^0+/, "");
  if (scale < 0) {
    digits = digits === "" ? "" : digits + "0".repeat(-scale);
    scale = 0;
  }
  if (digits === "") return { negative: false, digits: "0", scale: 0 };
  return { negative: sign === "-", digits, scale };
}

/** -1, 0 or 1 for a decimal string; 0 for text that is not a decimal. */
export function decimalSign(value: string | null | undefined): -1 | 0 | 1 {
  if (value == null) return 0;
  const parsed = parseDecimal(value);
  if (!parsed || parsed.digits === "0") return 0;
  return parsed.negative ? -1 : 1;
}

/** Split into integer and fraction digit strings, with the fraction exactly `scale` long. */
function split(digits: string, scale: number): [string, string] {
  const padded = digits.padStart(scale + 1, "0");
  return [padded.slice(0, padded.length - scale), padded.slice(padded.length - scale)];
}

/** Add one unit in the last place of a digit string ("199" -> "200", "99" -> "100"). */
function increment(digits: string): string {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === "9") {
      out[i] = "0";
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join("");
    }
  }
  return "1" + out.join("");
}

function group(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export interface DecimalFormat {
  /** Fraction digits always shown (padded with zeros). Default 0. */
  minFractionDigits?: number;
  /** Fraction digits at most; more are rounded half away from zero. Default: minFractionDigits. */
  maxFractionDigits?: number;
  /** Prefix positive values with "+" (P&L). */
  signed?: boolean;
  /** Thousands separators. Default true. */
  grouping?: boolean;
}

/**
 * Format a decimal string for display. Text that is not a decimal is returned unchanged, so a
 * surprising value is shown as it came rather than hidden.
 */
export function formatDecimal(value: string, options: DecimalFormat = {}): string {
  const parsed = parseDecimal(value);
  if (!parsed) return value;
  const min = options.minFractionDigits ?? 0;
  const max = Math.max(options.maxFractionDigits ?? min, min);
  let { digits, scale } = parsed;
  if (scale > max) {
    const cut = digits.padStart(scale + 1, "0");
    const keep = cut.slice(0, cut.length - (scale - max));
    const roundUp = Number(cut[cut.length - (scale - max)]) >= 5;
    digits = roundUp ? increment(keep) : keep;
    scale = max;
  }
  let [intDigits, fraction] = split(digits, scale);
  fraction = fraction.replace(/0+$/, "");
  if (fraction.length < min) fraction = fraction.padEnd(min, "0");
  intDigits = intDigits.replace(/^0+(?=\d)/, "");
  const isZero = /^0*$/.test(intDigits + fraction);
  const body = (options.grouping === false ? intDigits : group(intDigits)) + (fraction ? "." + fraction : "");
  if (isZero) return body;
  if (parsed.negative) return "-" + body;
  return options.signed ? "+" + body : body;
}

/** Money and prices: two decimals, up to four when the value carries them. */
export function formatPrice(value: string | null | undefined): string {
  if (value == null) return "—";
  return formatDecimal(value, { minFractionDigits: 2, maxFractionDigits: 4 });
}

/** Average cost per unit: a fixed four decimals, so a column of fills lines up. */
export function formatCost(value: string | null | undefined): string {
  if (value == null) return "—";
  return formatDecimal(value, { minFractionDigits: 4, maxFractionDigits: 4 });
}

/** Profit and loss: signed, two decimals. */
export function formatPnl(value: string | null | undefined): string {
  if (value == null) return "—";
  return formatDecimal(value, { minFractionDigits: 2, maxFractionDigits: 2, signed: true });
}

/** Quantities: signed when short, no padding ("-3", "1.5"). */
export function formatQuantity(value: string | number | null | undefined): string {
  if (value == null) return "—";
  return formatDecimal(String(value), { maxFractionDigits: 8 });
}

/** Account balances: grouped, a fixed two decimals ("1,234,567.80"). */
export function formatMoney(value: string | null | undefined): string {
  if (value == null) return "—";
  return formatDecimal(value, { minFractionDigits: 2, maxFractionDigits: 2 });
}
