import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { brokerQueryKey, type BrokerStatus } from "@/features/broker/api/get-broker";
import { api, unwrap } from "@/lib/api-client";

export type PhillipAuthorizeBody = components["schemas"]["PhillipAuthorizeBody"];
export type PhillipAuthorizeRead = components["schemas"]["PhillipAuthorizeRead"];

/** Where POEMS sends the user back: a page of this app, which hands the code to the API. */
export const PHILLIP_CALLBACK_PATH = "/onboarding/phillip/callback";

export function phillipRedirectUri(origin = window.location.origin): string {
  return `${origin}${PHILLIP_CALLBACK_PATH}`;
}

/** Start the OAuth flow: the server keeps a pending authorisation and returns POEMS's URL. */
export async function authorizePhillip(clientId: string, body: PhillipAuthorizeBody): Promise<PhillipAuthorizeRead> {
  return unwrap(
    await api.POST("/clients/{client_id}/broker/phillip/authorize", {
      params: { path: { client_id: clientId } },
      body,
    }),
  );
}

export interface PhillipCallbackParams {
  state: string;
  code?: string | null;
  error?: string | null;
  error_description?: string | null;
}

/** Finish the OAuth flow with what POEMS put on the redirect. */
export async function finishPhillip(clientId: string, params: PhillipCallbackParams): Promise<BrokerStatus> {
  const query: PhillipCallbackParams = { state: params.state };
  if (params.code) query.code = params.code;
  if (params.error) query.error = params.error;
  if (params.error_description) query.error_description = params.error_description;
  return unwrap(
    await api.GET("/clients/{client_id}/broker/phillip/callback", {
      params: { path: { client_id: clientId }, query },
    }),
  );
}

export function useAuthorizePhillip(clientId: string) {
  return useMutation({
    mutationKey: ["clients", clientId, "broker", "phillip", "authorize"],
    mutationFn: (body: PhillipAuthorizeBody) => authorizePhillip(clientId, body),
  });
}

export function useFinishPhillip(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["clients", clientId, "broker", "phillip", "callback"],
    mutationFn: (params: PhillipCallbackParams) => finishPhillip(clientId, params),
    onSuccess: (status) => queryClient.setQueryData(brokerQueryKey(clientId), status),
  });
}
