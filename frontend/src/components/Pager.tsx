interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  label: string;
}

/** "1–50 of 120" with previous/next; hidden when everything fits on one page. */
export function Pager({ offset, limit, total, onChange, label }: PagerProps) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span className="pager-range">
        {first.toLocaleString("en-US")}–{last.toLocaleString("en-US")} of {total.toLocaleString("en-US")}
      </span>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange(Math.max(0, offset - limit))}
        disabled={offset === 0}
      >
        ‹ Previous
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange(offset + limit)}
        disabled={offset + limit >= total}
      >
        Next ›
      </button>
    </nav>
  );
}
