/** API bodies as the backend sends them, with overrides: one place to keep in step with openapi.json. */
import type { components } from "@/client/schema";

type S = components["schemas"];

export function brokerStatus(overrides: Partial<S["BrokerStatusRead"]> = {}): S["BrokerStatusRead"] {
  return {
    kind: "simulator",
    state: "connected",
    last_error: null,
    connected_at: "2026-01-05T14:30:00Z",
    reconnects: 0,
    capabilities: null,
    settings: {},
    has_credentials: false,
    account: {
      account_id: "SIM-1",
      currency: "USD",
      cash: "100000",
      net_liquidation: "100250.5",
      buying_power: "200000",
      margin_requirement: "0",
      realized_pnl: "0",
      unrealized_pnl: "0",
      ts: "2026-01-05T14:30:00Z",
    },
    available_kinds: ["simulator", "ibkr", "phillip"],
    ...overrides,
  };
}

function scope(state: S["TradingMode"], reason: string | null = null): S["ScopeStateRead"] {
  return { state, reason, allow_reduce_only: true, changed_at: reason ? "2026-01-05T14:30:00Z" : null };
}

export function tradingState(
  client: S["TradingMode"] = "ACTIVE",
  global: S["TradingMode"] = "ACTIVE",
  reason: string | null = null,
): S["ClientTradingState"] {
  const order = ["ACTIVE", "REDUCING", "HALTED"];
  const effective = order.indexOf(client) >= order.indexOf(global) ? client : global;
  return {
    client: scope(client, client !== "ACTIVE" ? reason : null),
    global: scope(global, global !== "ACTIVE" ? reason : null),
    effective,
    reduce_only_allowed: true,
  };
}

export function portfolio(overrides: Partial<S["PortfolioRead"]> = {}): S["PortfolioRead"] {
  return {
    market_value: "0",
    realized_pnl: "0",
    unrealized_pnl: "0",
    delta: 0,
    gamma: 0,
    theta: 0,
    vega: 0,
    positions: 0,
    valued: 0,
    ...overrides,
  };
}
