import { useMutation } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type PasswordResetDone = components["schemas"]["PasswordResetDone"];

/** Reset a client user's password: the operator's choice, or a generated one returned once. */
export async function resetPassword(userId: string, password: string | null): Promise<PasswordResetDone> {
  return unwrap(
    await api.POST("/admin/users/{user_id}/reset-password", {
      params: { path: { user_id: userId } },
      body: { password },
    }),
  );
}

export function useResetPassword() {
  return useMutation({
    mutationKey: ["admin", "users", "reset-password"],
    mutationFn: ({ userId, password }: { userId: string; password: string | null }) => resetPassword(userId, password),
  });
}
