import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { clientsQueryKey } from "@/features/clients/api/get-clients";
import { api, unwrap } from "@/lib/api-client";

export type NewClient = components["schemas"]["ClientCreate"];
export type CreatedClient = components["schemas"]["ClientCreated"];

/** The server's rule, repeated here only to say it before the round trip. */
export const MIN_PASSWORD_LENGTH = 12;

/** Create a client and its first user. */
export async function createClient(body: NewClient): Promise<CreatedClient> {
  return unwrap(await api.POST("/admin/clients", { body }));
}

export function useCreateClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["admin", "clients", "create"],
    mutationFn: createClient,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: clientsQueryKey }),
  });
}
