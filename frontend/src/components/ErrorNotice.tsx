import { asApiError } from "@/lib/api-error";

interface ErrorNoticeProps {
  error: unknown;
  /** What failed, e.g. "Could not load positions". */
  title?: string;
  onRetry?: () => void;
  compact?: boolean;
}

/** An error as the API reported it: what happened, and the request id to quote to support. */
export function ErrorNotice({ error, title, onRetry, compact = false }: ErrorNoticeProps) {
  const problem = asApiError(error);
  return (
    <div role="alert" className={`notice notice-error${compact ? " notice-compact" : ""}`}>
      <div className="notice-text">
        {title ? <strong>{title}: </strong> : null}
        <span>{problem.message}</span>
        {problem.requestId ? (
          <span className="notice-meta">
            {" "}
            Request id <code>{problem.requestId}</code>
          </span>
        ) : null}
      </div>
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
