/**
 * Which cached reads an event makes stale, as the part after ["clients", clientId] in their query keys
 * (each feature keys its reads that way). Quotes refresh nothing: they arrive many times a second and
 * no page caches them yet.
 */
import type { StreamEventType } from "./messages";

const STALE: Record<StreamEventType, readonly string[]> = {
  quote: [],
  "trade.updated": ["trades", "agent", "risk-usage"],
  "order.updated": ["trades"],
  fill: ["trades", "positions", "portfolio", "broker", "risk-usage"],
  "portfolio.updated": ["portfolio", "positions", "broker", "agent", "risk-usage", "pnl-history"],
  // A new point of P&L history: the chart gains it, and the account values it came from moved.
  "pnl.updated": ["pnl-history", "broker"],
  "agent.status": ["agent"],
  "trading.state": ["trading-state", "agent"],
  "broker.status": ["broker", "agent"],
  "chat.message": ["agent-chat"],
  // A sign-in of the client's users ended: the server closes that sign-in's own streams (4401).
  "access.revoked": [],
};

/** The query-key parts an event of this type makes stale. */
export function staleParts(type: StreamEventType): readonly string[] {
  return STALE[type];
}
