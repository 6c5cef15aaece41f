/** One denial as the gate records it: the rule, a stable code, a sentence and the numbers. */
export interface Denial {
  rule?: unknown;
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

function detailText(details: unknown): string {
  if (typeof details !== "object" || details === null) return "";
  return Object.entries(details as Record<string, unknown>)
    .map(([key, value]) => `${key.replace(/_/g, " ")} ${String(value)}`)
    .join(" · ");
}

/** Every reason the risk gate gave, in its order, each with its rule and numbers. */
export function DenialReasons({ reasons, compact = false }: { reasons: Record<string, unknown>[]; compact?: boolean }) {
  if (reasons.length === 0) return null;
  return (
    <ul className={`reasons${compact ? " reasons-compact" : ""}`} aria-label="Why the risk gate denied it">
      {reasons.map((reason: Denial, i) => {
        const details = detailText(reason.details);
        return (
          <li key={`${String(reason.code)}-${i}`}>
            <span>{String(reason.message ?? reason.code ?? "Denied")}</span>
            {!compact ? (
              <span className="muted small">
                {" "}
                ({String(reason.rule ?? "rule")}: <code>{String(reason.code ?? "")}</code>
                {details ? `; ${details}` : ""})
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
