import { queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type ClientTradingState = components["schemas"]["ClientTradingState"];
export type TradingMode = components["schemas"]["TradingMode"];

/** The trading state that governs the client now (the stricter of global and its own). */
export async function getClientTradingState(clientId: string): Promise<ClientTradingState> {
  return unwrap(
    await api.GET("/clients/{client_id}/trading-state", { params: { path: { client_id: clientId } } }),
  );
}

export function clientTradingStateQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: ["clients", clientId, "trading-state"],
    queryFn: () => getClientTradingState(clientId),
    // The stream refreshes this entry on events; polling is the fallback (slow while the stream is up).
    refetchInterval: liveRefetchInterval,
    staleTime: 0,
  });
}

export function useClientTradingState(clientId: string | null | undefined) {
  return useQuery({ ...clientTradingStateQueryOptions(clientId ?? ""), enabled: Boolean(clientId) });
}
