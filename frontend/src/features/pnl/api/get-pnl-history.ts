import { queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type PnlHistory = components["schemas"]["PnlHistoryRead"];
export type PnlPoint = components["schemas"]["PnlPointRead"];

/** About a week of points at the default five-minute interval. */
export const HISTORY_POINTS = 2000;
/** New points land every few minutes; the stream's portfolio events refresh it sooner. */
const HISTORY_POLL_MS = 60_000;

/** The client's account values over time, oldest first (the newest `HISTORY_POINTS`). */
export async function getPnlHistory(clientId: string): Promise<PnlHistory> {
  return unwrap(
    await api.GET("/clients/{client_id}/pnl-history", {
      params: { path: { client_id: clientId }, query: { limit: HISTORY_POINTS } },
    }),
  );
}

export function pnlHistoryQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: ["clients", clientId, "pnl-history"],
    queryFn: () => getPnlHistory(clientId),
    refetchInterval: HISTORY_POLL_MS,
  });
}

export function usePnlHistory(clientId: string) {
  return useQuery(pnlHistoryQueryOptions(clientId));
}
