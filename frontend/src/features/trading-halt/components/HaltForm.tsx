import { type FormEvent, useEffect, useId, useRef, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { type TradingMode, useChangeTradingState } from "@/features/trading-halt/api/trading-halt";
import { MODE_TEXT } from "@/features/trading-halt/components/ModeBadge";
import { MAX_REASON, MIN_REASON } from "@/lib/audit";

export interface ClientOption {
  id: string;
  name: string;
}

const ACTIONS: { state: TradingMode; verb: string; text: string }[] = [
  { state: "HALTED", verb: "Halt", text: "No new orders; working orders are cancelled." },
  { state: "REDUCING", verb: "Reduce only", text: "Only orders that lower risk are accepted." },
  { state: "ACTIVE", verb: "Resume", text: "Trading goes on normally." },
];


/** Halt, reduce or resume trading for everyone or one client: reason required, then a confirmation. */
export function HaltForm({ clients }: { clients: ClientOption[] }) {
  const change = useChangeTradingState();
  const [target, setTarget] = useState("global");
  const [state, setState] = useState<TradingMode>("HALTED");
  const [reason, setReason] = useState("");
  const [allowReduceOnly, setAllowReduceOnly] = useState(true);
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const ids = useId();

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const scopeText =
    target === "global" ? "all clients" : (clients.find((c) => c.id === target)?.name ?? "this client");
  const action = ACTIONS.find((a) => a.state === state)!;

  function edit() {
    setConfirming(false);
    change.reset();
  }

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (reason.trim().length < MIN_REASON) {
      setReasonError(`Say why, in at least ${MIN_REASON} characters: it goes to the audit trail.`);
      reasonRef.current?.focus();
      return;
    }
    setReasonError(null);
    setConfirming(true);
  }

  function confirm() {
    change.mutate(
      {
        scope: target === "global" ? "global" : "client",
        client_id: target === "global" ? null : target,
        state,
        reason: reason.trim(),
        allow_reduce_only: allowReduceOnly,
      },
      {
        onSuccess: () => {
          setConfirming(false);
          setReason("");
        },
      },
    );
  }

  const done = change.data;
  return (
    <form className="panel-body stack" onSubmit={review} noValidate aria-label="Change trading state">
      <div className="field">
        <label htmlFor={`${ids}-scope`}>Scope</label>
        <select id={`${ids}-scope`} value={target} disabled={confirming} onChange={(e) => (setTarget(e.target.value), edit())}>
          <option value="global">All clients (global)</option>
          {clients.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="segmented" disabled={confirming}>
        <legend>Action</legend>
        {ACTIONS.map((a) => (
          <label key={a.state} className={state === a.state ? "selected" : undefined}>
            <input
              type="radio"
              name={`${ids}-state`}
              value={a.state}
              checked={state === a.state}
              onChange={() => (setState(a.state), edit())}
            />
            {a.verb}
          </label>
        ))}
      </fieldset>
      <p className="field-hint">{action.text}</p>
      {state === "HALTED" ? (
        <label className="check">
          <input
            type="checkbox"
            checked={allowReduceOnly}
            disabled={confirming}
            onChange={(e) => (setAllowReduceOnly(e.target.checked), edit())}
          />
          Let orders that only reduce risk go out while halted
        </label>
      ) : null}
      <div className="field">
        <label htmlFor={`${ids}-reason`}>Reason</label>
        <textarea
          id={`${ids}-reason`}
          ref={reasonRef}
          rows={2}
          maxLength={MAX_REASON}
          value={reason}
          disabled={confirming}
          onChange={(e) => {
            setReason(e.target.value);
            setReasonError(null);
            if (change.isSuccess || change.isError) change.reset();
          }}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${ids}-reason-error` : undefined}
        />
        {reasonError ? (
          <p className="field-error" id={`${ids}-reason-error`}>
            {reasonError}
          </p>
        ) : null}
      </div>

      {change.error ? <ErrorNotice error={change.error} title="The change was refused" /> : null}
      {done && !confirming ? (
        <p className="notice notice-success" role="status">
          {done.scope === "global" ? "Global" : scopeText} trading: {MODE_TEXT[done.from_state]} → {MODE_TEXT[done.to_state]}.
          {done.cancelled_orders == null
            ? done.to_state === "HALTED"
              ? " Cancelling working orders failed; the halt stands."
              : ""
            : ` ${done.cancelled_orders} working order${done.cancelled_orders === 1 ? "" : "s"} cancelled.`}
        </p>
      ) : null}

      {confirming ? (
        <div className={`confirm confirm-${state === "ACTIVE" ? "good" : "bad"}`} role="alertdialog" aria-labelledby={`${ids}-confirm`}>
          <p id={`${ids}-confirm`}>
            <strong>
              {action.verb} trading for {scopeText}?
            </strong>{" "}
            {action.text}
            {state === "HALTED" ? (allowReduceOnly ? " Reduce-only exits stay possible." : " Reduce-only exits are blocked too.") : ""}{" "}
            Reason: “{reason.trim()}”.
          </p>
          <div className="button-row">
            <button ref={confirmRef} type="button" className={`btn ${state === "ACTIVE" ? "btn-primary" : "btn-danger"}`} onClick={confirm} disabled={change.isPending}>
              {change.isPending ? "Applying…" : `Yes, ${action.verb.toLowerCase()}`}
            </button>
            <button type="button" className="btn btn-ghost" onClick={edit} disabled={change.isPending}>
              Back
            </button>
          </div>
        </div>
      ) : (
        <div className="button-row">
          <button type="submit" className="btn btn-primary">
            Review {action.verb.toLowerCase()}…
          </button>
        </div>
      )}
    </form>
  );
}
