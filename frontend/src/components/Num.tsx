import { decimalSign, formatPnl } from "@/lib/decimal";

/** A signed amount coloured by its sign (green up, red down), e.g. realised P&L. */
export function Pnl({ value }: { value: string | null | undefined }) {
  const sign = decimalSign(value);
  const tone = sign > 0 ? "up" : sign < 0 ? "down" : "flat";
  return <span className={`pnl ${tone}`}>{formatPnl(value)}</span>;
}
