/** The agent's status and the controls on it: pause, resume, scan now. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";
import { liveRefetchInterval } from "@/lib/live";

export type AgentStatus = components["schemas"]["AgentStatusRead"];
export type ScanResult = components["schemas"]["ScanResult"];

export function agentQueryKey(clientId: string) {
  return ["clients", clientId, "agent"] as const;
}

/** What the agent is doing and why: mode, effective mode, state, scans, proposals, P&L. */
export async function getAgentStatus(clientId: string): Promise<AgentStatus> {
  return unwrap(await api.GET("/clients/{client_id}/agent/status", { params: { path: { client_id: clientId } } }));
}

export function agentStatusQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: [...agentQueryKey(clientId), "status"],
    queryFn: () => getAgentStatus(clientId),
    refetchInterval: liveRefetchInterval,
    staleTime: 0,
  });
}

export function useAgentStatus(clientId: string) {
  return useQuery(agentStatusQueryOptions(clientId));
}

/** Stop the agent proposing (or placing) trades until resumed. */
export async function pauseAgent(clientId: string, reason: string | null) {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/pause", {
      params: { path: { client_id: clientId } },
      body: reason ? { reason } : null,
    }),
  );
}

export async function resumeAgent(clientId: string) {
  return unwrap(await api.POST("/clients/{client_id}/agent/resume", { params: { path: { client_id: clientId } } }));
}

/** Scan the watchlist now instead of waiting for the next scheduled scan. */
export async function scanNow(clientId: string): Promise<ScanResult> {
  return unwrap(await api.POST("/clients/{client_id}/agent/scan", { params: { path: { client_id: clientId } } }));
}

function useRefreshAgent(clientId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: agentQueryKey(clientId) }),
      queryClient.invalidateQueries({ queryKey: ["clients", clientId, "trades"] }),
    ]);
}

export function usePauseAgent(clientId: string) {
  const refresh = useRefreshAgent(clientId);
  return useMutation({ mutationFn: (reason: string | null) => pauseAgent(clientId, reason), onSettled: refresh });
}

export function useResumeAgent(clientId: string) {
  const refresh = useRefreshAgent(clientId);
  return useMutation({ mutationFn: () => resumeAgent(clientId), onSettled: refresh });
}

export function useScanNow(clientId: string) {
  const refresh = useRefreshAgent(clientId);
  return useMutation({ mutationFn: () => scanNow(clientId), onSettled: refresh });
}
