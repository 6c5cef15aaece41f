import { type FormEvent, useEffect, useId, useRef, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { useSetUserAccess } from "@/features/clients/api/user-access";
import { MAX_REASON, MIN_REASON } from "@/lib/audit";

type Step = "idle" | "confirming" | "done";

/** Switch one user's access off or on: give the reason, confirm, see what it did. */
export function UserAccessAction({ userId, email, isActive }: { userId: string; email: string; isActive: boolean }) {
  const change = useSetUserAccess();
  const [step, setStep] = useState<Step>("idle");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const ids = useId();
  const verb = isActive ? "Deactivate" : "Reactivate";

  useEffect(() => {
    if (step === "confirming") confirmRef.current?.focus();
  }, [step]);

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (reason.trim().length < MIN_REASON) {
      setError(`Say why, in at least ${MIN_REASON} characters: the reason is kept in the audit trail.`);
      return;
    }
    setError(null);
    setStep("confirming");
  }

  function confirm() {
    change.mutate({ userId, active: !isActive, reason: reason.trim() }, { onSuccess: () => setStep("done") });
  }

  if (step === "done" && change.data) {
    const done = change.data;
    return (
      <div className="notice notice-success stack" role="status">
        <p>
          {done.is_active ? `${email} can sign in again.` : `${email} is deactivated.`}{" "}
          {done.is_active ? null : `${done.revoked_sessions} session${done.revoked_sessions === 1 ? "" : "s"} signed out.`}
          {done.changed ? null : " Nothing changed: the user was already in that state."}
        </p>
      </div>
    );
  }

  return (
    <form className="stack" onSubmit={review} noValidate aria-label={`${verb} ${email}`}>
      <div className="field">
        <label htmlFor={`${ids}-reason`}>Why {isActive ? "deactivate" : "reactivate"} {email}?</label>
        <input
          id={`${ids}-reason`}
          type="text"
          maxLength={MAX_REASON}
          value={reason}
          disabled={step === "confirming"}
          onChange={(e) => (setReason(e.target.value), setError(null))}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${ids}-error` : undefined}
        />
        {error ? (
          <p className="field-error" id={`${ids}-error`}>
            {error}
          </p>
        ) : null}
      </div>
      {change.error ? <ErrorNotice error={change.error} title="The change was refused" compact /> : null}
      {step === "confirming" ? (
        <div className={`confirm ${isActive ? "confirm-bad" : ""}`} role="alertdialog" aria-labelledby={`${ids}-confirm`}>
          <p id={`${ids}-confirm`}>
            <strong>
              {verb} {email}?
            </strong>{" "}
            {isActive
              ? "Every sign-in of this user ends now, open pages lose their live updates, and signing in is refused until an operator reactivates them."
              : "They sign in again with their current password."}
          </p>
          <div className="button-row">
            <button
              ref={confirmRef}
              type="button"
              className={`btn ${isActive ? "btn-danger" : ""}`}
              onClick={confirm}
              disabled={change.isPending}
            >
              {change.isPending ? "Saving…" : `Yes, ${verb.toLowerCase()}`}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setStep("idle")} disabled={change.isPending}>
              Back
            </button>
          </div>
        </div>
      ) : (
        <div className="button-row">
          <button type="submit" className="btn btn-small">
            {verb}…
          </button>
        </div>
      )}
    </form>
  );
}
