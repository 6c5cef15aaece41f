import { queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type BrokerStatus = components["schemas"]["BrokerStatusRead"];
export type BrokerAccountUpdate = components["schemas"]["BrokerAccountUpdate"];
export type BrokerKind = BrokerAccountUpdate["kind"];
export type BrokerTestResult = components["schemas"]["BrokerTestResult"];

/** The client's broker: kind, connection state, last error and account (never secrets). */
export async function getBroker(clientId: string): Promise<BrokerStatus> {
  return unwrap(await api.GET("/clients/{client_id}/broker", { params: { path: { client_id: clientId } } }));
}

export function brokerQueryKey(clientId: string) {
  return ["clients", clientId, "broker"] as const;
}

export function brokerQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: brokerQueryKey(clientId),
    queryFn: () => getBroker(clientId),
    // The stream refreshes this entry on events; polling is the fallback (slow while the stream is up).
    refetchInterval: liveRefetchInterval,
    staleTime: 0,
  });
}

export function useBrokerStatus(clientId: string | null | undefined) {
  return useQuery({ ...brokerQueryOptions(clientId ?? ""), enabled: Boolean(clientId) });
}

/** True when the broker session is up. */
export function isConnected(status: BrokerStatus | undefined): boolean {
  return status?.state === "connected";
}
