/** What global-setup started: the backend's address and the demo logins it created. */

export interface Login {
  username: string;
  password: string;
}

export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error("E2E_BASE_URL is not set: global-setup did not run");
  return url;
}

/** The `role: username=... password=...` lines of first-run-credentials.txt. */
export function demoLogin(role: "operator" | "client"): Login {
  const text = process.env.E2E_CREDENTIALS ?? "";
  const line = text.split("\n").find((l) => l.startsWith(`${role}:`));
  const match = line && /username=(\S+)\s+password=(\S+)/.exec(line);
  if (!match) throw new Error(`no ${role} login in the first-run credentials`);
  return { username: match[1]!, password: match[2]! };
}
