/** The broker form's values, their checks, and the request bodies built from them (pure code). */
import type { BrokerAccountUpdate, BrokerKind } from "@/features/broker/api/get-broker";
import type { PhillipAuthorizeBody } from "@/features/broker/api/phillip-oauth";
import { asApiError } from "@/lib/api-error";
import { parseDecimal } from "@/lib/decimal";

export interface BrokerFormValues {
  startingCash: string;
  resetAccount: boolean;
  host: string;
  port: string;
  ibClientId: string;
  accountCode: string;
  delayedData: boolean;
  phillipClientId: string;
  accountNo: string;
  clientSecret: string;
  apiKey: string;
}

export type BrokerField = keyof BrokerFormValues;

export const EMPTY_BROKER_FORM: BrokerFormValues = {
  startingCash: "",
  resetAccount: false,
  host: "127.0.0.1",
  port: "4002",
  ibClientId: "1",
  accountCode: "",
  delayedData: false,
  phillipClientId: "",
  accountNo: "",
  clientSecret: "",
  apiKey: "",
};

/** The fields that hold secrets: cleared after every save, never shown back. */
export const SECRET_FIELDS: BrokerField[] = ["clientSecret", "apiKey"];

const ACCOUNT_CODE = /^[A-Z]{1,3}[0-9]{4,10}$/;

function whole(text: string, min: number, max: number): boolean {
  return /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;
}

/** Problems the server would refuse, said before the round trip. */
export function checkBrokerForm(kind: BrokerKind, v: BrokerFormValues): Partial<Record<BrokerField, string>> {
  const found: Partial<Record<BrokerField, string>> = {};
  if (kind === "simulator" && v.startingCash.trim()) {
    const cash = parseDecimal(v.startingCash.replace(/,/g, ""));
    if (!cash || cash.negative || cash.digits === "0" || cash.scale > 2) {
      found.startingCash = "Enter an amount above zero with at most two decimals.";
    }
  }
  if (kind === "ibkr") {
    if (!v.host.trim()) found.host = "Enter the gateway's host name or IP address.";
    if (!whole(v.port, 1, 65535)) found.port = "Enter a port from 1 to 65535.";
    if (!whole(v.ibClientId, 0, 2 ** 31 - 1)) found.ibClientId = "Enter a whole number (0 or more).";
    if (!ACCOUNT_CODE.test(v.accountCode.trim().toUpperCase())) {
      found.accountCode = "Enter the IB account code, e.g. DU1234567.";
    }
  }
  if (kind === "phillip") {
    if (!v.phillipClientId.trim()) found.phillipClientId = "Enter the client id of the POEMS app.";
    if (!v.clientSecret) found.clientSecret = "Enter the app's client secret.";
    if (!v.apiKey) found.apiKey = "Enter the app's API key.";
  }
  return found;
}

/** PUT/test body for the simulator or IBKR (IBKR keeps all its settings sealed as credentials). */
export function brokerBody(kind: "simulator" | "ibkr", v: BrokerFormValues): BrokerAccountUpdate {
  if (kind === "simulator") {
    const cash = v.startingCash.replace(/,/g, "").trim();
    return {
      kind,
      // Sent as text: the server reads it as a Decimal, so no float ever touches the amount.
      settings: cash ? { starting_cash: cash } : {},
      reset_account: v.resetAccount,
    };
  }
  return {
    kind,
    settings: {},
    reset_account: false,
    credentials: {
      host: v.host.trim(),
      port: Number(v.port),
      client_id: Number(v.ibClientId),
      account_code: v.accountCode.trim().toUpperCase(),
      accept_delayed_data: v.delayedData,
    },
  };
}

/** Body that starts Phillip's OAuth flow. */
export function phillipBody(v: BrokerFormValues, redirectUri: string): PhillipAuthorizeBody {
  // The generated type marks every field with a server default as required; the server fills them.
  const settings = { client_id: v.phillipClientId.trim(), redirect_uri: redirectUri, account_no: v.accountNo.trim() };
  return {
    settings: settings as PhillipAuthorizeBody["settings"],
    credentials: { client_secret: v.clientSecret, api_key: v.apiKey },
  };
}

// The API's field names (last part of `loc`) as this form's fields, per kind.
const API_FIELDS: Record<BrokerKind, Record<string, BrokerField>> = {
  simulator: { starting_cash: "startingCash" },
  ibkr: { host: "host", port: "port", client_id: "ibClientId", account_code: "accountCode" },
  phillip: { client_id: "phillipClientId", account_no: "accountNo", client_secret: "clientSecret", api_key: "apiKey" },
};

/** The server's validation problems (422 validation_error or invalid_broker_settings) on their fields. */
export function serverBrokerErrors(kind: BrokerKind, error: unknown): Partial<Record<BrokerField, string>> {
  if (!error) return {};
  const problem = asApiError(error);
  if (problem.code !== "validation_error" && problem.code !== "invalid_broker_settings") return {};
  if (!Array.isArray(problem.details)) return {};
  const found: Partial<Record<BrokerField, string>> = {};
  for (const issue of problem.details as { loc?: unknown[]; msg?: string }[]) {
    const name = issue.loc?.filter((p) => typeof p === "string").at(-1);
    const field = typeof name === "string" ? API_FIELDS[kind][name] : undefined;
    if (field && !found[field]) found[field] = (issue.msg ?? "Not valid").replace(/^Value error, /, "");
  }
  return found;
}
