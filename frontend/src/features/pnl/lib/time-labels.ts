/** Chart axis and crosshair labels in the viewer's time zone (the chart itself only knows UTC). */
import type { Time, TickMarkType } from "lightweight-charts";

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function asDate(time: Time): Date | null {
  return typeof time === "number" ? new Date(time * 1000) : null;
}

// TickMarkType's values (Year 0, Month 1, DayOfMonth 2, Time 3, TimeWithSeconds 4), read as numbers so
// this module needs no runtime import of the chart library (it is loaded only when a chart is drawn).
const YEAR = 0;
const MONTH = 1;
const DAY = 2;

/** An axis label: the year, "Dec", "12-01" or "14:05", local time. */
export function tickLabel(time: Time, type: TickMarkType): string | null {
  const date = asDate(time);
  if (!date) return null;
  const kind: number = type;
  if (kind === YEAR) return String(date.getFullYear());
  if (kind === MONTH) return date.toLocaleString("en-US", { month: "short" });
  if (kind === DAY) return `${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The crosshair's label: "2026-12-01 14:05", local time. */
export function crosshairLabel(time: Time): string {
  const date = asDate(time);
  if (!date) return String(time);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** Money on the price axis: grouped, two decimals ("100,250.50"). */
export function priceLabel(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
