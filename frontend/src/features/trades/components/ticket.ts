/** The trade ticket's form values, their checks, and the TradeTicket body (pure code). */
import type { LegIn, TradeTicket } from "@/features/trades/api/change-trade";
import { parseDecimal } from "@/lib/decimal";

export interface LegValues {
  side: "buy" | "sell";
  secType: "option" | "stock";
  expiry: string;
  strike: string;
  right: "C" | "P";
  ratio: string;
}

export interface TicketValues {
  symbol: string;
  quantity: string;
  orderType: "limit" | "market";
  limitPrice: string;
  timeInForce: "DAY" | "GTC";
  legs: LegValues[];
}

export const MAX_LEGS = 4;

export function newLeg(side: LegValues["side"] = "buy"): LegValues {
  return { side, secType: "option", expiry: "", strike: "", right: "C", ratio: "1" };
}

export const EMPTY_TICKET: TicketValues = {
  symbol: "",
  quantity: "1",
  orderType: "limit",
  limitPrice: "",
  timeInForce: "DAY",
  legs: [newLeg()],
};

const SYMBOL = /^[A-Za-z][A-Za-z0-9.-]{0,11}$/;

function wholeIn(text: string, min: number, max: number): boolean {
  return /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;
}

/** Problems keyed "symbol", "quantity", "limitPrice" or "legs.<i>.<field>". */
export function checkTicket(v: TicketValues): Record<string, string> {
  const found: Record<string, string> = {};
  if (!SYMBOL.test(v.symbol.trim())) found.symbol = "Enter a symbol, e.g. SPY.";
  if (!wholeIn(v.quantity, 1, 10_000)) found.quantity = "Enter a whole number from 1 to 10,000.";
  if (v.orderType === "limit") {
    const price = parseDecimal(v.limitPrice);
    if (!v.limitPrice.trim() || !price) found.limitPrice = "Enter the net limit price (+ debit, - credit).";
  }
  v.legs.forEach((leg, i) => {
    if (!wholeIn(leg.ratio, 1, 10)) found[`legs.${i}.ratio`] = "1 to 10.";
    if (leg.secType === "option") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(leg.expiry)) found[`legs.${i}.expiry`] = "Pick the expiry.";
      const strike = parseDecimal(leg.strike);
      if (!strike || strike.negative || strike.digits === "0") found[`legs.${i}.strike`] = "Enter a strike above 0.";
    }
  });
  return found;
}

/** The body POST /clients/{id}/trades takes; prices and strikes stay decimal strings. */
export function ticketBody(v: TicketValues): TradeTicket {
  const symbol = v.symbol.trim().toUpperCase();
  const legs: LegIn[] = v.legs.map((leg) =>
    leg.secType === "option"
      ? { side: leg.side, sec_type: "option", symbol, ratio: Number(leg.ratio), expiry: leg.expiry, strike: leg.strike.trim(), right: leg.right }
      : { side: leg.side, sec_type: "stock", symbol, ratio: Number(leg.ratio) },
  );
  return {
    legs,
    quantity: Number(v.quantity),
    order_type: v.orderType,
    time_in_force: v.timeInForce,
    limit_price: v.orderType === "limit" ? v.limitPrice.trim() : null,
  };
}
