import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type ClientSummary = components["schemas"]["ClientRead"];

export interface ClientsParams {
  limit: number;
  offset: number;
}

/** One page of every client (operators only). */
export async function getClients({ limit, offset }: ClientsParams) {
  return unwrap(await api.GET("/admin/clients", { params: { query: { limit, offset } } }));
}

export const clientsQueryKey = ["admin", "clients"] as const;

export function getClientsQueryOptions(params: ClientsParams) {
  return queryOptions({
    queryKey: [...clientsQueryKey, params],
    queryFn: () => getClients(params),
    placeholderData: keepPreviousData,
  });
}

export function useClients(params: ClientsParams) {
  return useQuery(getClientsQueryOptions(params));
}
