import { queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type RiskUsage = components["schemas"]["RiskUsageRead"];
export type LimitUsage = components["schemas"]["LimitUsageRead"];

/** Each of the client's risk limits with what counts against it now. */
export async function getRiskUsage(clientId: string): Promise<RiskUsage> {
  return unwrap(await api.GET("/clients/{client_id}/risk/usage", { params: { path: { client_id: clientId } } }));
}

/** Keyed under the client so stream events (fills, trades, portfolio changes) mark it stale. */
export function riskUsageQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: ["clients", clientId, "risk-usage"],
    queryFn: () => getRiskUsage(clientId),
    refetchInterval: liveRefetchInterval,
  });
}

export function useRiskUsage(clientId: string) {
  return useQuery(riskUsageQueryOptions(clientId));
}
