import { type FormEvent, useMemo, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import type { RiskProfile } from "@/features/agent/api/agent-setup";
import { type AgentStatus, useAgentStatus } from "@/features/agent/api/agent-status";
import { type AgentParametersRead, useParameters, useUpdateParameters } from "@/features/agent/api/parameters";
import { asApiError } from "@/lib/api-error";
import { formatDateTime } from "@/lib/format";

import { RISK_PROFILE_CHOICES } from "./agent-choices";
import { fieldImpact } from "./field-impact";
import {
  buildUpdate,
  changedFields,
  type Draft,
  draftOf,
  type FieldSpec,
  rangeText,
  sectionsOf,
  serverProblems,
} from "./parameter-form";

type UpdateMutation = ReturnType<typeof useUpdateParameters>;

/** The agent's parameters by section, each with its allowed range, checked before sending. */
export function ParametersEditor({ clientId }: { clientId: string }) {
  const query = useParameters(clientId);
  const status = useAgentStatus(clientId).data;
  const update = useUpdateParameters(clientId);
  const [note, setNote] = useState<string | null>(null);
  const data = query.data;
  return (
    <Panel
      id="parameters"
      title="Risk parameters"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <div className="panel-body stack">
        {query.isPending ? (
          <p className="muted" role="status">
            Loading parameters…
          </p>
        ) : null}
        {query.error && !data ? (
          <ErrorNotice error={query.error} title="Could not load parameters" onRetry={() => void query.refetch()} />
        ) : null}
        {note ? (
          <p className="notice notice-success" role="status">
            {note}
          </p>
        ) : null}
        {data ? (
          <>
            <p className="muted" data-testid="parameters-version">
              Version {data.version} · {data.risk_profile} profile · saved {formatDateTime(data.updated_at)}
            </p>
            <ProfileReset data={data} update={update} onSaved={setNote} />
            {/* Keyed by version: a saved (or elsewhere changed) document starts a fresh draft. */}
            <ParametersForm key={data.version} data={data} status={status} update={update} onSaved={setNote} />
          </>
        ) : null}
      </div>
    </Panel>
  );
}

interface FormProps {
  data: AgentParametersRead;
  status: AgentStatus | undefined;
  update: UpdateMutation;
  onSaved: (note: string) => void;
}

function ParametersForm({ data, status, update, onSaved }: FormProps) {
  const sections = useMemo(() => sectionsOf(data.parameters, data.ranges), [data]);
  const saved = useMemo(() => draftOf(data.parameters, sections), [data, sections]);
  const [draft, setDraft] = useState<Draft>(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const changed = changedFields(sections, saved, draft);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const built = buildUpdate(sections, saved, draft, data.version);
    setGeneral([]);
    setFailure(null);
    if ("errors" in built) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    update.mutate(built.update, {
      onSuccess: (next) => onSaved(`Saved as version ${next.version}.`),
      onError: (error) => {
        const problem = asApiError(error);
        if (problem.status === 422) {
          const mapped = serverProblems(problem.details, sections);
          setErrors(mapped.fields);
          setGeneral(Object.keys(mapped.fields).length || mapped.general.length ? mapped.general : [problem.message]);
        } else {
          setFailure(error);
        }
      },
    });
  }

  return (
    <form className="stack" aria-label="Risk parameters" onSubmit={onSubmit} noValidate>
      {sections.map((section) => (
        <fieldset key={section.key} className="param-section">
          <legend>{section.title}</legend>
          {section.description ? <p className="field-hint">{section.description}</p> : null}
          <div className="param-grid">
            {section.fields.map((field) => (
              <ParameterField
                key={field.path}
                field={field}
                value={draft[field.path]!}
                savedValue={saved[field.path]!}
                error={errors[field.path]}
                impact={fieldImpact(field.path, String(draft[field.path]), status)}
                onChange={(value) => setDraft({ ...draft, [field.path]: value })}
              />
            ))}
          </div>
        </fieldset>
      ))}
      {general.length ? (
        <div className="notice notice-error" role="alert">
          <ul className="reasons">
            {general.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {Object.keys(errors).length && !general.length ? (
        <p className="notice notice-error" role="alert">
          Fix the highlighted fields: nothing was saved.
        </p>
      ) : null}
      {failure ? <ErrorNotice error={failure} title="Could not save" compact /> : null}
      <div className="button-row sticky-actions">
        <button type="submit" className="btn btn-primary" disabled={update.isPending || changed.length === 0}>
          {update.isPending ? "Saving…" : changed.length ? `Save ${changed.length} change${changed.length > 1 ? "s" : ""}` : "No changes"}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          disabled={changed.length === 0}
          onClick={() => {
            setDraft(saved);
            setErrors({});
            setGeneral([]);
          }}
        >
          Discard
        </button>
      </div>
    </form>
  );
}

interface FieldProps {
  field: FieldSpec;
  value: string | boolean;
  savedValue: string | boolean;
  error: string | undefined;
  impact: string | null;
  onChange: (value: string | boolean) => void;
}

function ParameterField({ field, value, savedValue, error, impact, onChange }: FieldProps) {
  const id = `param-${field.path.replace(/\./g, "-")}`;
  const range = rangeText(field.range);
  const isChanged = String(value).trim() !== String(savedValue).trim();
  if (field.kind === "boolean") {
    return (
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />
        {field.label}
        {isChanged ? <span className="badge badge-info">changed</span> : null}
      </label>
    );
  }
  const hintId = `${id}-hint`;
  return (
    <div className={`field${isChanged ? " field-changed" : ""}`}>
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        value={String(value)}
        inputMode={field.kind === "list" ? "text" : "decimal"}
        aria-invalid={error ? true : undefined}
        aria-describedby={hintId}
        placeholder={field.nullable ? "Any" : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <div id={hintId}>
        {error ? <p className="field-error">{error}</p> : null}
        {range ? <p className="field-hint">Allowed {range}</p> : null}
        {field.kind === "list" ? <p className="field-hint">Comma-separated{field.nullable ? "; empty for any" : ""}</p> : null}
        {isChanged ? <p className="field-hint">Was {String(savedValue) || "empty"}</p> : null}
        {impact ? <p className="field-hint field-impact">{impact}</p> : null}
      </div>
    </div>
  );
}

function ProfileReset({ data, update, onSaved }: { data: AgentParametersRead; update: UpdateMutation; onSaved: (note: string) => void }) {
  const [profile, setProfile] = useState<RiskProfile>(data.risk_profile);
  const [confirming, setConfirming] = useState(false);
  const choice = RISK_PROFILE_CHOICES.find((c) => c.value === profile);
  return (
    <div className="stack profile-reset">
      <div className="inline-field">
        <label htmlFor="reset-profile">Reset to profile</label>
        <select
          id="reset-profile"
          value={profile}
          onChange={(e) => {
            setProfile(e.target.value as RiskProfile);
            setConfirming(false);
          }}
        >
          {RISK_PROFILE_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.title}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-small" onClick={() => setConfirming(true)} disabled={update.isPending}>
          Reset…
        </button>
      </div>
      {choice ? <p className="field-hint">{choice.description}</p> : null}
      {confirming ? (
        <div className="confirm confirm-bad" role="alertdialog" aria-label="Confirm reset">
          <p>Replace every parameter with the {choice?.title ?? profile} defaults? Your edits are discarded.</p>
          <div className="button-row">
            <button
              type="button"
              className="btn btn-danger btn-small"
              disabled={update.isPending}
              onClick={() =>
                update.mutate(
                  { risk_profile: profile, expected_version: data.version },
                  {
                    onSuccess: (next) => {
                      setConfirming(false);
                      onSaved(`Reset to ${next.risk_profile}: version ${next.version}.`);
                    },
                  },
                )
              }
            >
              Yes, reset
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
