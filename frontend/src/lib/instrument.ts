import { formatPrice } from "@/lib/decimal";
import { formatDate } from "@/lib/format";

export interface InstrumentFields {
  symbol: string;
  underlying?: string;
  expiry: string | null;
  strike: string | null;
  option_right: string | null;
}

/** "SPY 2026-06-19 450 C" for an option, the symbol for anything else. */
export function describeInstrument(p: InstrumentFields): string {
  if (!p.expiry && !p.strike) return p.symbol;
  const right = p.option_right ? p.option_right.charAt(0).toUpperCase() : "";
  const strike = p.strike ? formatPrice(p.strike).replace(/\.00$/, "") : "";
  return [p.underlying || p.symbol, formatDate(p.expiry), [strike, right].filter(Boolean).join(" ")]
    .filter(Boolean)
    .join(" ");
}
