/** How a proposal's numbers read to a trader: credit or debit, percentages, time left. */
import { decimalSign, formatDecimal, formatMoney, formatPrice } from "@/lib/decimal";
import { formatDuration } from "@/lib/format";

/** `limit_price` is the net per unit, + debit / − credit: "Credit 1.25", "Debit 0.80", "Even 0.00". */
export function limitPriceText(limit: string | null | undefined): string {
  if (limit == null) return "Market";
  const sign = decimalSign(limit);
  const amount = formatPrice(limit.replace(/^[-+]/, ""));
  if (sign < 0) return `Credit ${amount}`;
  if (sign > 0) return `Debit ${amount}`;
  return `Even ${amount}`;
}

/** A probability 0..1 as "68.2%". */
export function percentText(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  return `${(value * 100).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

/** A decimal ratio ("0.35") as "35.0%". */
export function ratioText(value: string | null | undefined): string {
  if (value == null) return "—";
  const parsed = Number(value);
  return Number.isFinite(parsed) ? percentText(parsed) : value;
}

/** Max loss is a loss: shown with its minus sign whatever sign the API stored it with. */
export function lossText(value: string | null | undefined): string {
  if (value == null) return "—";
  const amount = formatMoney(value.replace(/^[-+]/, ""));
  return decimalSign(value) === 0 ? amount : `-${amount}`;
}

export function moneyText(value: string | null | undefined): string {
  return value == null ? "—" : formatMoney(value);
}

/** "4 min 12 s left", "Expired", or "No expiry". */
export function timeLeftText(expiresAt: string | null | undefined, now: number): string {
  if (!expiresAt) return "No expiry";
  const left = (new Date(expiresAt).getTime() - now) / 1000;
  if (!Number.isFinite(left)) return "—";
  return left <= 0 ? "Expired" : `${formatDuration(left)} left`;
}

/** Greeks in dollars for the whole trade, signed, two decimals. */
export function greekText(value: string | null | undefined): string {
  if (value == null) return "—";
  return formatDecimal(value, { minFractionDigits: 2, maxFractionDigits: 2, signed: true });
}
