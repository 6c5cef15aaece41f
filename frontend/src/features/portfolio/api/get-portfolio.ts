import { queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type Portfolio = components["schemas"]["PortfolioRead"];
export type AccountSummary = components["schemas"]["AccountSummaryRead"];

/** The book's totals at current marks: market value, P&L and portfolio greeks. */
export async function getPortfolio(clientId: string): Promise<Portfolio> {
  return unwrap(await api.GET("/clients/{client_id}/portfolio", { params: { path: { client_id: clientId } } }));
}

export function portfolioQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: ["clients", clientId, "portfolio"],
    queryFn: () => getPortfolio(clientId),
    refetchInterval: liveRefetchInterval,
  });
}

export function usePortfolio(clientId: string) {
  return useQuery(portfolioQueryOptions(clientId));
}
