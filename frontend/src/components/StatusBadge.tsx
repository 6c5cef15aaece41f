const TONES: Record<string, string> = {
  active: "good",
  filled: "good",
  approved: "info",
  submitted: "info",
  partially_filled: "info",
  proposed: "neutral",
  pending_approval: "warn",
  unknown: "warn",
  denied: "bad",
  rejected: "bad",
  cancelled: "muted",
  expired: "muted",
  halted: "bad",
  reducing: "warn",
  suspended: "bad",
};

/** A status word in a small coloured tag ("pending_approval" reads "pending approval"). */
export function StatusBadge({ status }: { status: string }) {
  const key = status.toLowerCase();
  return <span className={`badge badge-${TONES[key] ?? "neutral"}`}>{key.replace(/_/g, " ")}</span>;
}
