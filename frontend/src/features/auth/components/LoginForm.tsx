import { type FormEvent, useEffect, useId, useRef, useState } from "react";

import { useLogin } from "@/features/auth/api/login";
import { asApiError } from "@/lib/api-error";
import { formatDuration } from "@/lib/format";
import type { Session } from "@/lib/session";

interface LoginFormProps {
  onSuccess: (session: Session) => void;
  /** A note shown above the form, e.g. why the last session ended. */
  notice?: string | null;
}

/** Seconds left until `until` (epoch ms), ticking once a second while positive. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

export function LoginForm({ onSuccess, notice }: LoginFormProps) {
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [blockedUntil, setBlockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(blockedUntil);
  const throttled = blockedUntil !== null && secondsLeft > 0;
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();

  const error = login.error ? asApiError(login.error) : null;
  const fields = error?.fieldErrors() ?? {};

  useEffect(() => {
    if (blockedUntil !== null && secondsLeft === 0) setBlockedUntil(null);
  }, [blockedUntil, secondsLeft]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (throttled || login.isPending) return;
    login.mutate(
      { username: username.trim(), password },
      {
        onSuccess,
        onError: (failure) => {
          const problem = asApiError(failure);
          if (problem.status === 429) {
            setBlockedUntil(Date.now() + (problem.retryAfterSeconds ?? 60) * 1000);
          }
          if (problem.code === "invalid_credentials") {
            setPassword("");
            passwordRef.current?.focus();
          }
        },
      },
    );
  }

  let message: string | null = null;
  if (error) {
    if (error.status === 429) {
      message = throttled
        ? `Too many failed sign-ins. Try again in ${formatDuration(secondsLeft)}.`
        : "You can try signing in again now.";
    } else if (error.code === "invalid_credentials") {
      message = "Wrong username or password.";
    } else if (Object.keys(fields).length === 0) {
      message = error.message;
    }
  }

  return (
    <form className="login-form" onSubmit={submit} noValidate aria-describedby={message ? errorId : undefined}>
      {notice ? (
        <p className="notice notice-info" role="status">
          {notice}
        </p>
      ) : null}
      {message ? (
        <div className="notice notice-error" role="alert" id={errorId}>
          <span>{message}</span>
          {error?.requestId && error.code !== "invalid_credentials" ? (
            <span className="notice-meta">
              {" "}
              Request id <code>{error.requestId}</code>
            </span>
          ) : null}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="login-username">Email</label>
        <input
          id="login-username"
          name="username"
          type="email"
          autoComplete="username"
          autoFocus
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          aria-invalid={fields.username ? true : undefined}
          aria-describedby={fields.username ? "login-username-error" : undefined}
        />
        {fields.username ? (
          <p className="field-error" id="login-username-error">
            {fields.username}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          ref={passwordRef}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={fields.password || error?.code === "invalid_credentials" ? true : undefined}
          aria-describedby={fields.password ? "login-password-error" : undefined}
        />
        {fields.password ? (
          <p className="field-error" id="login-password-error">
            {fields.password}
          </p>
        ) : null}
      </div>
      <button
        type="submit"
        className="btn btn-primary btn-block"
        disabled={login.isPending || throttled || !username.trim() || !password}
      >
        {login.isPending ? "Signing in…" : throttled ? `Wait ${formatDuration(secondsLeft)}` : "Sign in"}
      </button>
    </form>
  );
}
