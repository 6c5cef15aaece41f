import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { clientsQueryKey } from "@/features/clients/api/get-clients";
import { api, unwrap } from "@/lib/api-client";

export type UserAccessRead = components["schemas"]["UserAccessRead"];

/** Switch a client user's access off (every sign-in ends at once) or back on, with the reason kept in the audit trail. */
export async function setUserAccess(userId: string, active: boolean, reason: string): Promise<UserAccessRead> {
  const options = { params: { path: { user_id: userId } }, body: { reason } };
  return unwrap(
    active
      ? await api.POST("/admin/users/{user_id}/activate", options)
      : await api.POST("/admin/users/{user_id}/deactivate", options),
  );
}

export function useSetUserAccess() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["admin", "users", "access"],
    mutationFn: ({ userId, active, reason }: { userId: string; active: boolean; reason: string }) =>
      setUserAccess(userId, active, reason),
    // The client's detail lists its users with their access: read it again.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: clientsQueryKey }),
  });
}
