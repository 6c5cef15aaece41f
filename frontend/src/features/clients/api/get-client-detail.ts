import { queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { clientsQueryKey } from "@/features/clients/api/get-clients";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type ClientDetail = components["schemas"]["ClientDetailRead"];
export type ClientUser = components["schemas"]["ClientUserRead"];

/** One client as operators see it: users, broker session, agent modes, trading state, limits usage. */
export async function getClientDetail(clientId: string): Promise<ClientDetail> {
  return unwrap(await api.GET("/admin/clients/{client_id}", { params: { path: { client_id: clientId } } }));
}

export function clientDetailQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: [...clientsQueryKey, "detail", clientId],
    queryFn: () => getClientDetail(clientId),
    refetchInterval: liveRefetchInterval,
  });
}

export function useClientDetail(clientId: string) {
  return useQuery(clientDetailQueryOptions(clientId));
}
