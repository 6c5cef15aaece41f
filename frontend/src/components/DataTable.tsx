import type { ReactNode } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";

export interface Column<T> {
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  /** Numbers are right-aligned. */
  align?: "left" | "right" | "center";
  /** Hidden on phone widths (secondary detail). */
  secondary?: boolean;
  title?: string;
}

interface DataTableProps<T> {
  /** Read by screen readers; also names the loading and error messages. */
  label: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  isLoading: boolean;
  error: unknown;
  onRetry?: () => void;
  empty: ReactNode;
  skeletonRows?: number;
}

function cellClass(column: { align?: string; secondary?: boolean }): string | undefined {
  const classes = [
    column.align === "right" ? "num" : column.align === "center" ? "center" : "",
    column.secondary ? "secondary" : "",
  ].filter(Boolean);
  return classes.length ? classes.join(" ") : undefined;
}

/** A dense table with its loading, error and empty states. */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  isLoading,
  error,
  onRetry,
  empty,
  skeletonRows = 3,
}: DataTableProps<T>) {
  const hasRows = rows !== undefined;
  let body: ReactNode;
  if (!hasRows && isLoading) {
    body = Array.from({ length: skeletonRows }, (_, i) => (
      <tr key={`skeleton-${i}`} className="skeleton-row" aria-hidden="true">
        {columns.map((column) => (
          <td key={column.key} className={cellClass(column)}>
            <span className="skeleton" />
          </td>
        ))}
      </tr>
    ));
  } else if (!hasRows && error) {
    body = (
      <tr>
        <td colSpan={columns.length} className="state-cell">
          <div className="state-content">
            <ErrorNotice error={error} title={`Could not load ${label.toLowerCase()}`} onRetry={onRetry} />
          </div>
        </td>
      </tr>
    );
  } else if (!rows || rows.length === 0) {
    body = (
      <tr>
        <td colSpan={columns.length} className="state-cell empty">
          <div className="state-content">{empty}</div>
        </td>
      </tr>
    );
  } else {
    body = rows.map((row) => (
      <tr key={rowKey(row)}>
        {columns.map((column) => (
          <td key={column.key} className={cellClass(column)}>
            {column.render(row)}
          </td>
        ))}
      </tr>
    ));
  }

  return (
    <div className="table-wrap">
      {hasRows && error ? (
        <ErrorNotice error={error} title="Could not refresh; showing the last data" onRetry={onRetry} compact />
      ) : null}
      <table className="data-table" aria-label={label} aria-busy={isLoading && !hasRows}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={cellClass(column)} title={column.title}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{body}</tbody>
      </table>
      {isLoading && !hasRows ? (
        <p className="visually-hidden" role="status">
          Loading {label.toLowerCase()}…
        </p>
      ) : null}
    </div>
  );
}
