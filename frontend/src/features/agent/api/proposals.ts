/** The proposal queue: the agent's trades waiting for a person, and the approve and reject on them. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type Proposal = components["schemas"]["TradeRead"];
export type ProposalMetrics = components["schemas"]["TradeMetrics"];
export type PayoffPoint = components["schemas"]["PayoffPoint"];
export type DecidedTrade = components["schemas"]["TradeDetailRead"];

const QUEUE_SIZE = 50;

/** Trades waiting for approval, newest first. */
export async function getProposals(clientId: string) {
  return unwrap(
    await api.GET("/clients/{client_id}/trades", {
      params: { path: { client_id: clientId }, query: { status: "pending_approval", limit: QUEUE_SIZE, offset: 0 } },
    }),
  );
}

export function proposalsQueryOptions(clientId: string) {
  return queryOptions({
    // Under the trades key, so every trade event refreshes the queue too.
    queryKey: ["clients", clientId, "trades", { status: "pending_approval", queue: true }],
    queryFn: () => getProposals(clientId),
    refetchInterval: liveRefetchInterval,
    staleTime: 0,
  });
}

export function useProposals(clientId: string) {
  return useQuery(proposalsQueryOptions(clientId));
}

/** Approve a proposal: it goes through the risk gate to the broker (409 once decided or expired). */
export async function approveProposal(clientId: string, tradeId: string): Promise<DecidedTrade> {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/approve/{trade_id}", {
      params: { path: { client_id: clientId, trade_id: tradeId } },
    }),
  );
}

/** Reject a proposal, optionally saying why. */
export async function rejectProposal(clientId: string, tradeId: string, reason: string | null): Promise<DecidedTrade> {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/reject/{trade_id}", {
      params: { path: { client_id: clientId, trade_id: tradeId } },
      body: reason ? { reason } : null,
    }),
  );
}

function useRefreshBook(clientId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      ["trades", "positions", "portfolio", "agent"].map((part) =>
        queryClient.invalidateQueries({ queryKey: ["clients", clientId, part] }),
      ),
    );
}

export function useApproveProposal(clientId: string) {
  const refresh = useRefreshBook(clientId);
  return useMutation({ mutationFn: (tradeId: string) => approveProposal(clientId, tradeId), onSettled: refresh });
}

export function useRejectProposal(clientId: string) {
  const refresh = useRefreshBook(clientId);
  return useMutation({
    mutationFn: ({ tradeId, reason }: { tradeId: string; reason: string | null }) =>
      rejectProposal(clientId, tradeId, reason),
    onSettled: refresh,
  });
}
