import { type FormEvent, type ReactNode, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { useTestBroker, useUpdateBroker } from "@/features/broker/api/change-broker";
import type { BrokerKind, BrokerStatus } from "@/features/broker/api/get-broker";
import { phillipRedirectUri, useAuthorizePhillip } from "@/features/broker/api/phillip-oauth";
import {
  type BrokerField,
  brokerBody,
  type BrokerFormValues,
  checkBrokerForm,
  EMPTY_BROKER_FORM,
  phillipBody,
  SECRET_FIELDS,
  serverBrokerErrors,
} from "@/features/broker/components/broker-form";
import { BROKER_LABELS } from "@/features/broker/components/broker-kinds";
import { TestResult } from "@/features/broker/components/TestResult";

interface BrokerSetupFormProps {
  clientId: string;
  kind: BrokerKind;
  onSaved?: (status: BrokerStatus) => void;
  saveLabel?: string;
  /** Where the browser goes for Phillip's sign-in (a test swaps it). */
  redirect?: (url: string) => void;
}

interface InputProps {
  field: BrokerField;
  label: string;
  hint?: ReactNode;
  type?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "decimal" | "text";
}

/** Settings and credentials of one broker kind, a connection test, and save (or Phillip's sign-in). */
export function BrokerSetupForm({ clientId, kind, onSaved, saveLabel = "Save", redirect }: BrokerSetupFormProps) {
  const [values, setValues] = useState<BrokerFormValues>(EMPTY_BROKER_FORM);
  const [localErrors, setLocalErrors] = useState<Partial<Record<BrokerField, string>>>({});
  const update = useUpdateBroker(clientId);
  const test = useTestBroker(clientId);
  const authorize = useAuthorizePhillip(clientId);
  const failed = update.error ?? test.error ?? authorize.error;
  const errors = { ...serverBrokerErrors(kind, failed), ...localErrors };
  const fieldLevel = Object.keys(serverBrokerErrors(kind, failed)).length > 0;
  const busy = update.isPending || test.isPending || authorize.isPending;
  const idPrefix = `broker-${kind}`;

  function set<F extends BrokerField>(field: F, value: BrokerFormValues[F]) {
    setValues((v) => ({ ...v, [field]: value }));
    setLocalErrors((e) => ({ ...e, [field]: undefined }));
    update.reset();
    test.reset();
    authorize.reset();
  }

  function checked(): boolean {
    const found = checkBrokerForm(kind, values);
    setLocalErrors(found);
    const first = Object.keys(found)[0];
    if (first) document.getElementById(`${idPrefix}-${first}`)?.focus();
    return !first;
  }

  function runTest() {
    if (kind === "phillip" || !checked()) return;
    update.reset();
    test.mutate(brokerBody(kind, values));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || !checked()) return;
    test.reset();
    if (kind === "phillip") {
      authorize.mutate(phillipBody(values, phillipRedirectUri()), {
        onSuccess: (started) => (redirect ?? ((url) => window.location.assign(url)))(started.authorize_url),
        onSettled: () => clearSecrets(),
      });
      return;
    }
    update.mutate(brokerBody(kind, values), {
      onSuccess: (status) => {
        clearSecrets();
        onSaved?.(status);
      },
    });
  }

  function clearSecrets() {
    setValues((v) => ({ ...v, ...Object.fromEntries(SECRET_FIELDS.map((f) => [f, ""])) }));
  }

  function input({ field, label, hint, type = "text", autoComplete = "off", inputMode }: InputProps) {
    const id = `${idPrefix}-${field}`;
    const error = errors[field];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type={type}
          inputMode={inputMode}
          autoComplete={autoComplete}
          spellCheck={false}
          value={values[field] as string}
          onChange={(e) => set(field, e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error || hint ? `${id}-note` : undefined}
        />
        {error ? (
          <p className="field-error" id={`${id}-note`}>
            {error}
          </p>
        ) : hint ? (
          <p className="field-hint" id={`${id}-note`}>
            {hint}
          </p>
        ) : null}
      </div>
    );
  }

  function checkbox(field: "resetAccount" | "delayedData", label: string) {
    return (
      <label className="check">
        <input type="checkbox" checked={values[field]} onChange={(e) => set(field, e.target.checked)} />
        {label}
      </label>
    );
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={`${BROKER_LABELS[kind]} settings`}>
      {kind === "simulator" ? (
        <>
          <p className="muted">The simulator needs no credentials. Optionally set the paper account's starting cash.</p>
          {input({ field: "startingCash", label: "Starting cash (USD)", hint: "Leave empty for 100,000.00.", inputMode: "decimal" })}
          {checkbox("resetAccount", "Start a fresh paper account (forget positions and cash so far)")}
        </>
      ) : null}
      {kind === "ibkr" ? (
        <>
          <p className="muted">
            Greekdesk connects to the IB Gateway or TWS you run. Everything here is stored encrypted and never shown
            again.
          </p>
          <div className="field-grid">
            {input({ field: "host", label: "Gateway host" })}
            {input({ field: "port", label: "API port", hint: "4002 Gateway paper, 4001 live; TWS 7497 / 7496.", inputMode: "numeric" })}
            {input({ field: "ibClientId", label: "API client id", hint: "Unique per gateway.", inputMode: "numeric" })}
            {input({ field: "accountCode", label: "Account code", hint: "e.g. DU1234567 (paper) or U1234567." })}
          </div>
          {checkbox("delayedData", "Use 15-minute delayed quotes when there is no live market data subscription")}
        </>
      ) : null}
      {kind === "phillip" ? (
        <>
          <p className="muted">
            Enter the POEMS app Greekdesk was registered as, then sign in at Phillip to authorise it. The secret and
            key are stored encrypted and never shown again.
          </p>
          <div className="field-grid">
            {input({ field: "phillipClientId", label: "App client id" })}
            {input({ field: "accountNo", label: "Account number", hint: "Optional: POEMS picks your default account." })}
            {input({ field: "clientSecret", label: "Client secret", type: "password", autoComplete: "new-password" })}
            {input({ field: "apiKey", label: "API key", type: "password", autoComplete: "new-password" })}
          </div>
          <p className="field-hint">
            Phillip sends you back to <code>{phillipRedirectUri()}</code>; register that address with the app.
          </p>
        </>
      ) : null}

      {failed && !fieldLevel ? <ErrorNotice error={failed} title="Could not do that" /> : null}
      {test.data ? <TestResult result={test.data} /> : null}
      {update.isSuccess ? (
        <p className="notice notice-success" role="status">
          Saved. The broker session is being rebuilt with the new settings.
        </p>
      ) : null}

      <div className="button-row">
        {kind !== "phillip" ? (
          <button type="button" className="btn" onClick={runTest} disabled={busy}>
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {kind === "phillip"
            ? authorize.isPending
              ? "Opening Phillip…"
              : "Authorise at Phillip"
            : update.isPending
              ? "Saving…"
              : saveLabel}
        </button>
      </div>
    </form>
  );
}
