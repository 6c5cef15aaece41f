/** The agent's parameters: the document in force with each field's allowed range, its history, changes. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

import { agentQueryKey } from "./agent-status";

export type AgentParametersRead = components["schemas"]["AgentParametersRead"];
export type AgentParameters = components["schemas"]["AgentParameters"];
export type ParametersUpdate = components["schemas"]["AgentParametersUpdate"];
export type ParametersVersion = components["schemas"]["AgentParametersVersionRead"];
export type FieldRange = components["schemas"]["FieldRange"];

export async function getParameters(clientId: string): Promise<AgentParametersRead> {
  return unwrap(
    await api.GET("/clients/{client_id}/agent/parameters", { params: { path: { client_id: clientId } } }),
  );
}

export function parametersQueryOptions(clientId: string) {
  return queryOptions({
    queryKey: [...agentQueryKey(clientId), "parameters"],
    queryFn: () => getParameters(clientId),
  });
}

export function useParameters(clientId: string) {
  return useQuery(parametersQueryOptions(clientId));
}

/** Every saved version, newest first. */
export async function getParametersHistory(clientId: string): Promise<ParametersVersion[]> {
  return unwrap(
    await api.GET("/clients/{client_id}/agent/parameters/history", { params: { path: { client_id: clientId } } }),
  );
}

export function useParametersHistory(clientId: string) {
  return useQuery({
    queryKey: [...agentQueryKey(clientId), "parameters", "history"],
    queryFn: () => getParametersHistory(clientId),
  });
}

/** Save a change (a new, audited version); 422 names each out-of-range field, 409 a stale version. */
export async function updateParameters(clientId: string, update: ParametersUpdate): Promise<AgentParametersRead> {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/parameters", {
      params: { path: { client_id: clientId } },
      body: update,
    }),
  );
}

export function useUpdateParameters(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: ParametersUpdate) => updateParameters(clientId, update),
    onSuccess: (saved) => {
      queryClient.setQueryData(parametersQueryOptions(clientId).queryKey, saved);
      return queryClient.invalidateQueries({ queryKey: agentQueryKey(clientId) });
    },
  });
}
