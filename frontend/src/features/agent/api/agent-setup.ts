/** The agent's starting settings chosen at onboarding: a risk profile and a mode. */
import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type RiskProfile = NonNullable<components["schemas"]["AgentParametersUpdate"]["risk_profile"]>;
export type AgentMode = components["schemas"]["ModeUpdate"]["mode"];

/** Reset the agent's parameters to a profile's defaults (a new, audited version). */
export async function setRiskProfile(clientId: string, riskProfile: RiskProfile) {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/parameters", {
      params: { path: { client_id: clientId } },
      body: { risk_profile: riskProfile },
    }),
  );
}

/** Choose how the agent acts on its proposals. */
export async function setAgentMode(clientId: string, mode: AgentMode) {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/mode", { params: { path: { client_id: clientId } }, body: { mode } }),
  );
}

export function useSetRiskProfile(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["clients", clientId, "agent", "parameters"],
    mutationFn: (profile: RiskProfile) => setRiskProfile(clientId, profile),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["clients", clientId, "agent"] }),
  });
}

export function useSetAgentMode(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["clients", clientId, "agent", "mode"],
    mutationFn: (mode: AgentMode) => setAgentMode(clientId, mode),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["clients", clientId, "agent"] }),
  });
}
