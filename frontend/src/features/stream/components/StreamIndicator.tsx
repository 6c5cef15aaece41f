import type { StreamStatus } from "../lib/connection";

const LABELS: Record<StreamStatus, { text: string; tone: string; title: string }> = {
  live: { text: "Live", tone: "ok", title: "Updates arrive as they happen" },
  connecting: { text: "Connecting…", tone: "muted", title: "Opening the live connection" },
  reconnecting: {
    text: "Reconnecting…",
    tone: "warn",
    title: "The live connection dropped; pages refresh every few seconds until it is back",
  },
  stopped: { text: "Offline", tone: "bad", title: "No live updates; pages refresh every few seconds" },
};

/** A small dot and word saying whether live updates are flowing. */
export function StreamIndicator({ status }: { status: StreamStatus }) {
  const label = LABELS[status];
  return (
    <span className={`stream-indicator stream-${label.tone}`} title={label.title} data-testid="stream-status">
      <span className="stream-dot" aria-hidden="true" />
      {label.text}
    </span>
  );
}
