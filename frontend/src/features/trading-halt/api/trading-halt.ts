import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type TradingHaltOverview = components["schemas"]["TradingHaltOverview"];
export type TradingHaltRequest = components["schemas"]["TradingHaltRequest"];
export type TradingHaltResult = components["schemas"]["TradingHaltResult"];
export type TradingStateRow = components["schemas"]["TradingStateRead"];
export type TradingStateChange = components["schemas"]["TradingStateChangeRead"];
export type TradingMode = components["schemas"]["TradingMode"];

export interface HaltParams {
  limit: number;
  offset: number;
}

export const tradingHaltQueryKey = ["admin", "trading-halt"] as const;

/** The global state, every client not ACTIVE, and one page of the history of changes. */
export async function getTradingHalt({ limit, offset }: HaltParams): Promise<TradingHaltOverview> {
  return unwrap(await api.GET("/admin/trading-halt", { params: { query: { limit, offset } } }));
}

export function tradingHaltQueryOptions(params: HaltParams) {
  return queryOptions({
    queryKey: [...tradingHaltQueryKey, params],
    queryFn: () => getTradingHalt(params),
    placeholderData: keepPreviousData,
    refetchInterval: liveRefetchInterval,
  });
}

export function useTradingHalt(params: HaltParams) {
  return useQuery(tradingHaltQueryOptions(params));
}

/** Halt, restrict or resume trading globally or for one client (reason required). */
export async function changeTradingState(body: TradingHaltRequest): Promise<TradingHaltResult> {
  return unwrap(await api.POST("/admin/trading-halt", { body }));
}

export function useChangeTradingState() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["admin", "trading-halt", "change"],
    mutationFn: changeTradingState,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tradingHaltQueryKey }),
  });
}
