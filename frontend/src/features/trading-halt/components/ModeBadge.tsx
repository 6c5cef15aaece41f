import type { TradingMode } from "@/features/trading-halt/api/trading-halt";

export const MODE_TEXT: Record<TradingMode, string> = {
  ACTIVE: "Active",
  REDUCING: "Reducing only",
  HALTED: "Halted",
};

export function modeTone(mode: TradingMode): "good" | "warn" | "bad" {
  return mode === "ACTIVE" ? "good" : mode === "REDUCING" ? "warn" : "bad";
}

export function ModeBadge({ mode }: { mode: TradingMode }) {
  return <span className={`badge badge-${modeTone(mode)}`}>{MODE_TEXT[mode]}</span>;
}
