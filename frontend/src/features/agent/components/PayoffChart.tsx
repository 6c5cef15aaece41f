/**
 * The payoff at expiry drawn from `metrics.payoff` as a plain SVG line. A hand-drawn line rather than
 * a charting library: the curve is a few dozen (price, P&L) points on a price axis, while the
 * financial chart libraries (lightweight-charts and the like) are built around a time axis and would
 * need faking one; SVG also scales with the card and costs no bundle weight.
 */
import { useId } from "react";

import type { PayoffPoint } from "@/features/agent/api/proposals";
import { formatMoney, formatPrice } from "@/lib/decimal";

const WIDTH = 320;
const HEIGHT = 140;
const PAD = { left: 4, right: 4, top: 8, bottom: 8 };

interface Point {
  x: number;
  y: number;
}

function numeric(points: PayoffPoint[]): Point[] {
  // Drawing only: the figures shown as text stay decimal strings.
  return points
    .filter((p) => p.pnl != null)
    .map((p) => ({ x: Number(p.price), y: Number(p.pnl) }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x);
}

interface PayoffChartProps {
  points: PayoffPoint[];
  breakevens?: string[];
  /** Where the underlying trades now, when known. */
  spot?: string | null;
  label: string;
}

/** The trade's P&L at expiry across underlying prices: green above zero, red below, breakevens marked. */
export function PayoffChart({ points, breakevens = [], spot, label }: PayoffChartProps) {
  const clip = useId();
  const data = numeric(points);
  if (data.length < 2) return <p className="muted small">No payoff curve for this trade.</p>;

  const xs = data.map((p) => p.x);
  const ys = data.map((p) => p.y);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(0, ...ys);
  const maxY = Math.max(0, ...ys);
  const spanY = maxY - minY || 1;
  const sx = (x: number) => PAD.left + ((x - minX) / (maxX - minX || 1)) * (WIDTH - PAD.left - PAD.right);
  const sy = (y: number) => PAD.top + ((maxY - y) / spanY) * (HEIGHT - PAD.top - PAD.bottom);
  const zero = sy(0);
  const line = data.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
  const area = `${line} L${sx(maxX).toFixed(1)},${zero.toFixed(1)} L${sx(minX).toFixed(1)},${zero.toFixed(1)} Z`;
  const spotX = spot != null && Number.isFinite(Number(spot)) ? Number(spot) : null;
  const summary =
    `${label}: from ${formatMoney(String(Math.min(...ys)))} to ${formatMoney(String(Math.max(...ys)))} ` +
    `between ${formatPrice(String(minX))} and ${formatPrice(String(maxX))}` +
    (breakevens.length ? `, breakeven ${breakevens.map(formatPrice).join(" and ")}` : "");

  return (
    <figure className="payoff">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <defs>
          <clipPath id={`${clip}-up`}>
            <rect x="0" y="0" width={WIDTH} height={zero} />
          </clipPath>
          <clipPath id={`${clip}-down`}>
            <rect x="0" y={zero} width={WIDTH} height={HEIGHT - zero} />
          </clipPath>
        </defs>
        <path d={area} className="payoff-area-up" clipPath={`url(#${clip}-up)`} />
        <path d={area} className="payoff-area-down" clipPath={`url(#${clip}-down)`} />
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={zero} y2={zero} className="payoff-zero" />
        {breakevens.map((b) => {
          const x = Number(b);
          if (!Number.isFinite(x) || x < minX || x > maxX) return null;
          return <line key={b} x1={sx(x)} x2={sx(x)} y1={PAD.top} y2={HEIGHT - PAD.bottom} className="payoff-breakeven" />;
        })}
        {spotX != null && spotX >= minX && spotX <= maxX ? (
          <line x1={sx(spotX)} x2={sx(spotX)} y1={PAD.top} y2={HEIGHT - PAD.bottom} className="payoff-spot" />
        ) : null}
        <path d={line} className="payoff-line" vectorEffect="non-scaling-stroke" />
      </svg>
      {/* Axis labels in HTML: SVG text would stretch with the chart's width. */}
      <div className="payoff-axis muted small" aria-hidden="true">
        <span>{formatPrice(String(minX))}</span>
        <span>
          {formatMoney(String(Math.min(...ys)))} … {formatMoney(String(Math.max(...ys)))}
        </span>
        <span>{formatPrice(String(maxX))}</span>
      </div>
      <figcaption className="muted small">P&amp;L at expiry by underlying price (dashed: breakeven)</figcaption>
    </figure>
  );
}
