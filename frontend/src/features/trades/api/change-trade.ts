import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type TradeDetail = components["schemas"]["TradeDetailRead"];
export type TradeTicket = components["schemas"]["TradeTicket"];
export type LegIn = components["schemas"]["LegIn"];

/** Enter a trade ticket; the same key on a repeat returns the first result (a double click sends once). */
export async function enterTrade(clientId: string, ticket: TradeTicket, idempotencyKey: string): Promise<TradeDetail> {
  return unwrap(
    await api.POST("/clients/{client_id}/trades", {
      params: { path: { client_id: clientId }, header: { "Idempotency-Key": idempotencyKey } },
      body: ticket,
    }),
  );
}

/** Withdraw a pending trade or cancel its working order (409 when it is already final). */
export async function cancelTrade(clientId: string, tradeId: string): Promise<TradeDetail> {
  return unwrap(
    await api.POST("/clients/{client_id}/trades/{trade_id}/cancel", {
      params: { path: { client_id: clientId, trade_id: tradeId } },
    }),
  );
}

function useRefreshBook(clientId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      ["trades", "positions", "portfolio"].map((part) =>
        queryClient.invalidateQueries({ queryKey: ["clients", clientId, part] }),
      ),
    );
}

export function useEnterTrade(clientId: string) {
  const refresh = useRefreshBook(clientId);
  return useMutation({
    mutationKey: ["clients", clientId, "trades", "enter"],
    mutationFn: ({ ticket, idempotencyKey }: { ticket: TradeTicket; idempotencyKey: string }) =>
      enterTrade(clientId, ticket, idempotencyKey),
    onSuccess: refresh,
  });
}

export function useCancelTrade(clientId: string) {
  const refresh = useRefreshBook(clientId);
  return useMutation({
    mutationKey: ["clients", clientId, "trades", "cancel"],
    mutationFn: (tradeId: string) => cancelTrade(clientId, tradeId),
    onSettled: refresh,
  });
}
