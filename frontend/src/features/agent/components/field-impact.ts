/** What a risk field's new value means for this account now, in one sentence (or null). */
import type { AgentStatus } from "@/features/agent/api/agent-status";
import { formatMoney, formatPnl } from "@/lib/decimal";

function money(value: number): string {
  return formatMoney(value.toFixed(2));
}

/** One plain sentence on a field's value against the account's figures, when they are known. */
export function fieldImpact(path: string, value: string, status: AgentStatus | undefined): string | null {
  const number = Number(value);
  if (!status || !Number.isFinite(number)) return null;
  const pnl = status.pnl;
  const netLiq = pnl ? Number(pnl.net_liquidation) : NaN;
  switch (path) {
    case "risk.max_daily_loss": {
      if (!pnl) return null;
      const current = Number(pnl.realized) + Number(pnl.unrealized);
      const used = current < 0 && number > 0 ? ` — ${Math.round((-current / number) * 100)}% of this limit used` : "";
      return `P&L now ${formatPnl(current.toFixed(2))} (realised + unrealised)${used}; new trades stop at a loss of ${money(number)}.`;
    }
    case "sizing.max_risk_per_trade_pct":
    case "sizing.max_risk_total_pct":
      if (!Number.isFinite(netLiq)) return null;
      return `${money((netLiq * number) / 100)} of the ${money(netLiq)} net liquidation.`;
    case "risk.max_open_positions":
      return `${status.open_positions} open now.`;
    case "risk.max_notional_per_order":
      return Number.isFinite(netLiq) && netLiq > 0
        ? `${((number / netLiq) * 100).toFixed(1)}% of net liquidation per order.`
        : null;
    default:
      return null;
  }
}
