/**
 * The API's one error body, `{"error": {"code", "message", "details", "request_id"}}`, as an Error
 * the UI can show (message and request id) and branch on (status and code).
 * The body is not in openapi.json yet (FastAPI documents its own 422 shape), so it is typed here.
 */

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    request_id?: string | null;
  };
}

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | null;
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    requestId?: string | null;
    retryAfterSeconds?: number | null;
  }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? null;
    this.requestId = init.requestId ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  /** Validation problems keyed by field name (the last part of `loc`). */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    if (this.code !== "validation_error" || !Array.isArray(this.details)) return fields;
    for (const issue of this.details as ValidationIssue[]) {
      const name = issue.loc?.filter((part) => part !== "body").at(-1);
      if (typeof name === "string" && !(name in fields)) fields[name] = cleanMessage(issue.msg);
    }
    return fields;
  }
}

// Pydantic prefixes custom validator messages with "Value error, ".
function cleanMessage(message: string): string {
  return message.replace(/^Value error, /, "");
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const inner = (body as { error: unknown }).error;
  return typeof inner === "object" && inner !== null && "code" in inner && "message" in inner;
}

function retryAfter(body: ErrorBody | null, response: Response): number | null {
  const details = body?.error.details;
  if (typeof details === "object" && details !== null && "retry_after_seconds" in details) {
    const seconds = Number((details as { retry_after_seconds: unknown }).retry_after_seconds);
    if (Number.isFinite(seconds)) return seconds;
  }
  const header = response.headers.get("Retry-After");
  if (header && /^\d+$/.test(header.trim())) return Number(header);
  return null;
}

const STATUS_MESSAGES: Record<number, string> = {
  401: "Your session is not valid. Sign in again.",
  403: "You are not allowed to do that.",
  404: "Not found.",
  429: "Too many requests. Wait a moment and try again.",
  502: "The server is unreachable (bad gateway).",
  503: "The service is unavailable. Try again shortly.",
  504: "The server took too long to answer.",
};

/** Build an ApiError from a failed response and its parsed body (whatever shape it has). */
export function apiErrorFrom(response: Response, body: unknown): ApiError {
  const known = isErrorBody(body) ? body : null;
  return new ApiError({
    status: response.status,
    code: known?.error.code ?? `http_${response.status}`,
    message:
      known?.error.message ??
      STATUS_MESSAGES[response.status] ??
      `The server answered ${response.status} ${response.statusText}`.trim(),
    details: known?.error.details ?? null,
    requestId: known?.error.request_id ?? response.headers.get("X-Request-ID"),
    retryAfterSeconds: retryAfter(known, response),
  });
}

/** The error for a request that never got an answer. */
export function networkError(cause?: unknown): ApiError {
  const error = new ApiError({
    status: 0,
    code: "network_error",
    message: "Cannot reach the server. Check the connection and try again.",
  });
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}

/** Any thrown value as an ApiError (for display). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TypeError) return networkError(error);
  return new ApiError({
    status: 0,
    code: "unexpected_error",
    message: error instanceof Error ? error.message : "Something went wrong.",
  });
}
