import type { ReactNode } from "react";

import { formatClock } from "@/lib/format";

interface PanelProps {
  title: string;
  /** The number of rows in the whole list, once known. */
  count?: number;
  /** When the data was last fetched (epoch ms), 0 when never. */
  updatedAt?: number;
  onRefresh?: () => void;
  isFetching?: boolean;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
}

/** A titled section of a page with its count, freshness and actions. */
export function Panel({ title, count, updatedAt, onRefresh, isFetching, actions, children, id }: PanelProps) {
  const headingId = id ? `${id}-heading` : undefined;
  return (
    <section className="panel" aria-labelledby={headingId} id={id}>
      <header className="panel-header">
        <h2 id={headingId}>
          {title}
          {count !== undefined ? <span className="count">{count.toLocaleString("en-US")}</span> : null}
        </h2>
        <div className="panel-actions">
          {actions}
          {updatedAt ? (
            <span className="muted small" title="Last updated">
              {isFetching ? "Updating…" : `Updated ${formatClock(updatedAt)}`}
            </span>
          ) : null}
          {onRefresh ? (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={onRefresh}
              disabled={isFetching}
              aria-label={`Refresh ${title.toLowerCase()}`}
            >
              ↻
            </button>
          ) : null}
        </div>
      </header>
      {children}
    </section>
  );
}
