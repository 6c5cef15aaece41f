/** Dates and times as traders read them: ISO order, 24-hour clock, the viewer's time zone. */

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** "2026-06-19 14:03" in local time; "—" for null; the raw text when it is not a date. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** "14:03:22" local time, for "updated at" stamps. */
export function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A plain calendar date ("2026-06-19") is shown as sent: it has no time zone to convert. */
export function formatDate(value: string | null | undefined): string {
  return value ?? "—";
}

/** "4 min 59 s", "12 s", "1 h 2 min" for a wait. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/**
 * Greeks arrive as JSON numbers (model outputs, never booked): signed, grouped, fixed decimals.
 * "—" when the position could not be valued.
 */
export function formatGreek(value: number | null | undefined, digits = 2): string {
  if (value == null || !Number.isFinite(value)) return "—";
  const text = Math.abs(value).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  if (/^[0.,]*$/.test(text)) return text;
  return value < 0 ? `-${text}` : text;
}
