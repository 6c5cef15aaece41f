/**
 * From the API's exact decimal strings to what the chart draws. The chart plots floats (canvas pixels);
 * figures shown as text (the period's change) are computed on the decimal strings, never through a float.
 */
import type { UTCTimestamp } from "lightweight-charts";

import { parseDecimal } from "@/lib/decimal";

/** Net liquidation, or total P&L (realised plus unrealised). */
export type Measure = "net_liquidation" | "pnl";

/** One moment of the account, from the history or the broker's current balances. */
export interface AccountPoint {
  at: string;
  net_liquidation: string;
  realized: string;
  unrealized: string;
}

export interface ChartPoint {
  time: UTCTimestamp;
  value: number;
}

/** The exact value of a point in the chosen measure, as a decimal string. */
export function measureOf(point: AccountPoint, measure: Measure): string {
  return measure === "pnl" ? addDecimals(point.realized, point.unrealized) : point.net_liquidation;
}

/**
 * The points to draw, ascending by time: one per second (the chart's resolution; the later one wins),
 * points with an unreadable time or value left out, and the live point appended when it is newer.
 */
export function toChartPoints(history: AccountPoint[], measure: Measure, live?: AccountPoint | null): ChartPoint[] {
  const bySecond = new Map<number, number>();
  for (const point of history) {
    const read = readPoint(point, measure);
    if (read) bySecond.set(read.time, read.value);
  }
  const points = [...bySecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, value]) => ({ time: second as UTCTimestamp, value }));
  const now = live ? readPoint(live, measure) : null;
  const last = points[points.length - 1];
  // The live balances extend the line; they never rewrite a recorded point or land inside the history.
  if (now && (!last || now.time > last.time)) points.push(now);
  return points;
}

function readPoint(point: AccountPoint, measure: Measure): ChartPoint | null {
  const ms = Date.parse(point.at);
  let value: number;
  try {
    value = Number(measureOf(point, measure));
  } catch {
    return null;
  }
  if (Number.isNaN(ms) || !Number.isFinite(value)) return null;
  return { time: Math.floor(ms / 1000) as UTCTimestamp, value };
}

/** The exact change from the first point to the last in the measure, or null without two readable points. */
export function periodChange(points: AccountPoint[], measure: Measure): string | null {
  if (points.length < 2) return null;
  try {
    return subtractDecimals(measureOf(points[points.length - 1]!, measure), measureOf(points[0]!, measure));
  } catch {
    return null;
  }
}

function scaled(value: string): [bigint, number] {
  const parsed = parseDecimal(value);
  if (!parsed) throw new Error(`not a decimal: ${value}`);
  const units = BigInt(parsed.digits);
  return [parsed.negative ? -units : units, parsed.scale];
}

function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

function combine(a: string, b: string, sign: 1n | -1n): string {
  const [ua, sa] = scaled(a);
  const [ub, sb] = scaled(b);
  const scale = Math.max(sa, sb);
  const total = ua * 10n ** BigInt(scale - sa) + sign * ub * 10n ** BigInt(scale - sb);
  return fromScaled(total, scale);
}

/** a + b on decimal strings, exactly. */
export function addDecimals(a: string, b: string): string {
  return combine(a, b, 1n);
}

/** a - b on decimal strings, exactly. */
export function subtractDecimals(a: string, b: string): string {
  return combine(a, b, -1n);
}
