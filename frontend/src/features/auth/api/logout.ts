import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import { getSession, setSession } from "@/lib/session";

/** Revoke the refresh token on the server (best effort) and forget the session here. */
export async function logout(): Promise<void> {
  const session = getSession();
  setSession(null, "logout");
  if (!session) return;
  try {
    await api.POST("/auth/logout", { body: { refresh_token: session.refreshToken } });
  } catch {
    // Offline: the token expires on its own; the user still leaves now.
  }
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["auth", "logout"],
    mutationFn: logout,
    onSettled: () => queryClient.clear(),
  });
}
