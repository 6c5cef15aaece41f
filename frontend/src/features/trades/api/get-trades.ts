import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import type { components, operations } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type Trade = components["schemas"]["TradeRead"];
export type TradeLeg = components["schemas"]["TradeLegRead"];
export type TradeStatus = NonNullable<
  NonNullable<operations["list_trades_clients__client_id__trades_get"]["parameters"]["query"]>["status"]
>;

/** Every status, in lifecycle order; the type check fails if the API gains or loses one. */
export const TRADE_STATUSES = [
  "proposed",
  "denied",
  "pending_approval",
  "approved",
  "submitted",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  "expired",
  "unknown",
] as const satisfies readonly TradeStatus[];
type Missing = Exclude<TradeStatus, (typeof TRADE_STATUSES)[number]>;
const everyStatusListed: [Missing] extends [never] ? true : Missing = true;
void everyStatusListed;

export interface TradesParams {
  clientId: string;
  status: TradeStatus | null;
  limit: number;
  offset: number;
}

/** One page of the client's trades, newest first, optionally in one status. */
export async function getTrades({ clientId, status, limit, offset }: TradesParams) {
  return unwrap(
    await api.GET("/clients/{client_id}/trades", {
      params: { path: { client_id: clientId }, query: { limit, offset, ...(status ? { status } : {}) } },
    }),
  );
}

export function getTradesQueryOptions(params: TradesParams) {
  return queryOptions({
    queryKey: [
      "clients",
      params.clientId,
      "trades",
      { status: params.status, limit: params.limit, offset: params.offset },
    ],
    queryFn: () => getTrades(params),
    placeholderData: keepPreviousData,
  });
}

export function useTrades(params: TradesParams) {
  return useQuery(getTradesQueryOptions(params));
}
