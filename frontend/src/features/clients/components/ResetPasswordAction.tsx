import { type FormEvent, useEffect, useId, useRef, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { MIN_PASSWORD_LENGTH } from "@/features/clients/api/create-client";
import { useResetPassword } from "@/features/clients/api/reset-password";

type Step = "idle" | "confirming" | "done";

/** Reset one user's password: choose one or leave it blank to generate one, confirm, see a generated one once. */
export function ResetPasswordAction({ userId, email }: { userId: string; email: string }) {
  const reset = useResetPassword();
  const [step, setStep] = useState<Step>("idle");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const ids = useId();

  useEffect(() => {
    if (step === "confirming") confirmRef.current?.focus();
  }, [step]);

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password && password.length < MIN_PASSWORD_LENGTH) {
      setError(`Use at least ${MIN_PASSWORD_LENGTH} characters, or leave it blank to generate one.`);
      return;
    }
    setError(null);
    setStep("confirming");
  }

  function confirm() {
    reset.mutate(
      { userId, password: password || null },
      {
        onSuccess: () => {
          setStep("done");
          setPassword("");
        },
      },
    );
  }

  function close() {
    setStep("idle");
    reset.reset();
  }

  if (step === "done" && reset.data) {
    const done = reset.data;
    return (
      <div className="notice notice-success stack" role="status">
        <p>
          Password reset for {email}. {done.revoked_sessions} session{done.revoked_sessions === 1 ? "" : "s"} signed out.
        </p>
        {done.generated_password ? (
          <p>
            New password (shown once; hand it over securely): <code data-testid="generated-password">{done.generated_password}</code>
          </p>
        ) : null}
        <div className="button-row">
          <button type="button" className="btn btn-small btn-ghost" onClick={close}>
            Done
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="stack" onSubmit={review} noValidate aria-label={`Reset the password of ${email}`}>
      <div className="field">
        <label htmlFor={`${ids}-password`}>New password for {email}</label>
        <input
          id={`${ids}-password`}
          type="password"
          autoComplete="new-password"
          value={password}
          disabled={step === "confirming"}
          placeholder="Blank: generate one"
          onChange={(e) => (setPassword(e.target.value), setError(null))}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${ids}-error` : undefined}
        />
        {error ? (
          <p className="field-error" id={`${ids}-error`}>
            {error}
          </p>
        ) : null}
      </div>
      {reset.error ? <ErrorNotice error={reset.error} title="The reset was refused" compact /> : null}
      {step === "confirming" ? (
        <div className="confirm confirm-bad" role="alertdialog" aria-labelledby={`${ids}-confirm`}>
          <p id={`${ids}-confirm`}>
            <strong>Reset the password of {email}?</strong> {password ? "The password you typed replaces it" : "A new password is generated"} and
            every session of this user is signed out.
          </p>
          <div className="button-row">
            <button ref={confirmRef} type="button" className="btn btn-danger" onClick={confirm} disabled={reset.isPending}>
              {reset.isPending ? "Resetting…" : "Yes, reset the password"}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setStep("idle")} disabled={reset.isPending}>
              Back
            </button>
          </div>
        </div>
      ) : (
        <div className="button-row">
          <button type="submit" className="btn btn-small">
            Reset password…
          </button>
        </div>
      )}
    </form>
  );
}
