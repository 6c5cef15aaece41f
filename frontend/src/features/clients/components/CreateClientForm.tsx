import { type FormEvent, useRef, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import {
  type CreatedClient,
  MIN_PASSWORD_LENGTH,
  useCreateClient,
} from "@/features/clients/api/create-client";
import { asApiError } from "@/lib/api-error";

type Field = "name" | "email" | "password";
const FIELDS: Field[] = ["name", "email", "password"];

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A random 16-character password (no look-alike characters) to hand to the new client. */
export function generatePassword(length = 16): string {
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

interface CreateClientFormProps {
  onCreated?: (created: CreatedClient, email: string) => void;
}

export function CreateClientForm({ onCreated }: CreateClientFormProps) {
  const create = useCreateClient();
  const [values, setValues] = useState<Record<Field, string>>({ name: "", email: "", password: "" });
  const [localErrors, setLocalErrors] = useState<Partial<Record<Field, string>>>({});
  const [showPassword, setShowPassword] = useState(false);
  const [lastCreated, setLastCreated] = useState<{ name: string; email: string } | null>(null);
  const refs = {
    name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  const serverError = create.error ? asApiError(create.error) : null;
  const serverFields: Partial<Record<Field, string>> = { ...(serverError?.fieldErrors() ?? {}) };
  if (serverError?.code === "email_taken") serverFields.email = serverError.message;
  if (serverError?.code === "weak_password") serverFields.password = serverError.message;
  const errors: Partial<Record<Field, string>> = { ...serverFields, ...localErrors };
  const formLevelError =
    serverError && !FIELDS.some((field) => serverFields[field]) ? serverError : null;

  function update(field: Field, value: string) {
    setValues((v) => ({ ...v, [field]: value }));
    setLocalErrors((e) => ({ ...e, [field]: undefined }));
    if (create.isError) create.reset();
  }

  function validate(): Partial<Record<Field, string>> {
    const found: Partial<Record<Field, string>> = {};
    if (!values.name.trim()) found.name = "Enter the client's name.";
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email.trim())) found.email = "Enter an email address.";
    if (values.password.length < MIN_PASSWORD_LENGTH) {
      found.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
    }
    return found;
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setLastCreated(null);
    const found = validate();
    setLocalErrors(found);
    const first = FIELDS.find((field) => found[field]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    const email = values.email.trim();
    create.mutate(
      { name: values.name.trim(), email, password: values.password },
      {
        onSuccess: (created) => {
          setValues({ name: "", email: "", password: "" });
          setShowPassword(false);
          setLastCreated({ name: created.client.name, email });
          onCreated?.(created, email);
          refs.name.current?.focus();
        },
        onError: (failure) => {
          const problem = asApiError(failure);
          const fields = problem.fieldErrors();
          const target =
            problem.code === "email_taken"
              ? "email"
              : problem.code === "weak_password"
                ? "password"
                : FIELDS.find((f) => fields[f]);
          if (target) refs[target].current?.focus();
        },
      },
    );
  }

  function fieldProps(field: Field) {
    return {
      id: `new-client-${field}`,
      name: field,
      ref: refs[field],
      value: values[field],
      onChange: (e: { target: { value: string } }) => update(field, e.target.value),
      "aria-invalid": errors[field] ? true : undefined,
      "aria-describedby": `new-client-${field}-${errors[field] ? "error" : "hint"}`,
    } as const;
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="New client">
      {lastCreated ? (
        <p className="notice notice-success" role="status">
          Created <strong>{lastCreated.name}</strong>. Its user signs in as <code>{lastCreated.email}</code>.
        </p>
      ) : null}
      {formLevelError ? <ErrorNotice error={formLevelError} title="Could not create the client" /> : null}
      <div className="field">
        <label htmlFor="new-client-name">Name</label>
        <input {...fieldProps("name")} type="text" autoComplete="organization" maxLength={200} />
        {errors.name ? (
          <p className="field-error" id="new-client-name-error">
            {errors.name}
          </p>
        ) : (
          <p className="field-hint" id="new-client-name-hint">
            The client (account holder) as it will be listed.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="new-client-email">First user's email</label>
        <input {...fieldProps("email")} type="email" autoComplete="off" />
        {errors.email ? (
          <p className="field-error" id="new-client-email-error">
            {errors.email}
          </p>
        ) : (
          <p className="field-hint" id="new-client-email-hint">
            Used to sign in.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="new-client-password">Initial password</label>
        <div className="input-row">
          <input {...fieldProps("password")} type={showPassword ? "text" : "password"} autoComplete="new-password" />
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => setShowPassword((s) => !s)}
            aria-pressed={showPassword}
          >
            {showPassword ? "Hide" : "Show"}
          </button>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              update("password", generatePassword());
              setShowPassword(true);
            }}
          >
            Generate
          </button>
        </div>
        {errors.password ? (
          <p className="field-error" id="new-client-password-error">
            {errors.password}
          </p>
        ) : (
          <p className="field-hint" id="new-client-password-hint">
            At least {MIN_PASSWORD_LENGTH} characters ({values.password.length} now). Hand it over privately.
          </p>
        )}
      </div>
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create client"}
      </button>
    </form>
  );
}
