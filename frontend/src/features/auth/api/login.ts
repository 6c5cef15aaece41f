import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api-client";
import { type Session, sessionFromTokens, setSession } from "@/lib/session";

export interface Credentials {
  username: string;
  password: string;
}

/** Sign in; the tokens become the session. */
export async function login({ username, password }: Credentials): Promise<Session> {
  const tokens = unwrap(await api.POST("/auth/login", { body: { username, password } }));
  const session = sessionFromTokens(tokens, username.trim());
  setSession(session);
  return session;
}

export const loginMutationOptions = { mutationKey: ["auth", "login"], mutationFn: login } as const;

export function useLogin() {
  return useMutation(loginMutationOptions);
}
