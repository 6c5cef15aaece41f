import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type ProposedTrade = components["schemas"]["TradeDetailRead"];

/** Propose the trade that closes a position; it waits for approval like any other. */
export async function closePosition(clientId: string, positionId: string): Promise<ProposedTrade> {
  return unwrap(
    await api.POST("/clients/{client_id}/positions/{position_id}/close", {
      params: { path: { client_id: clientId, position_id: positionId } },
    }),
  );
}

export function useClosePosition(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["clients", clientId, "positions", "close"],
    mutationFn: (positionId: string) => closePosition(clientId, positionId),
    // The proposal shows in the trades list; the position changes only when it fills.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["clients", clientId, "trades"] }),
  });
}
