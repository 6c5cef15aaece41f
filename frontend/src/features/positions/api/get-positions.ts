import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type Position = components["schemas"]["PositionRead"];

export interface PositionsParams {
  clientId: string;
  limit: number;
  offset: number;
}

/** One page of the client's positions. */
export async function getPositions({ clientId, limit, offset }: PositionsParams) {
  return unwrap(
    await api.GET("/clients/{client_id}/positions", {
      params: { path: { client_id: clientId }, query: { limit, offset } },
    }),
  );
}

export function getPositionsQueryOptions(params: PositionsParams) {
  return queryOptions({
    queryKey: ["clients", params.clientId, "positions", { limit: params.limit, offset: params.offset }],
    queryFn: () => getPositions(params),
    placeholderData: keepPreviousData,
  });
}

export function usePositions(params: PositionsParams) {
  return useQuery(getPositionsQueryOptions(params));
}
