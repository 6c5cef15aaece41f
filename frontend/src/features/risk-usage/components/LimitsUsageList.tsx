import "./limits-usage.css";

import type { LimitUsage, RiskUsage } from "@/features/risk-usage/api/get-risk-usage";
import { formatDecimal, formatMoney, formatPnl } from "@/lib/decimal";

/** Where the bar turns amber, then red: close enough to a limit that a trader should look. */
export const WARN_AT = 0.75;
export const DANGER_AT = 0.9;

export type UsageLevel = "ok" | "warn" | "bad" | "unknown";

/** The colour band of a used/limit ratio. */
export function usageLevel(ratio: number | null | undefined): UsageLevel {
  if (ratio == null || Number.isNaN(ratio)) return "unknown";
  if (ratio >= DANGER_AT) return "bad";
  if (ratio >= WARN_AT) return "warn";
  return "ok";
}

function formatAmount(item: LimitUsage, value: string | null | undefined): string {
  if (value == null) return "—";
  if (item.unit === "money") return formatMoney(value);
  if (item.unit === "count") return formatDecimal(value, { maxFractionDigits: 0 });
  return formatDecimal(value, { maxFractionDigits: 2 });
}

function formatPercent(ratio: number | null | undefined): string {
  if (ratio == null) return "—";
  if (!Number.isFinite(ratio)) return "over";
  return `${Math.round(ratio * 100)}%`;
}

/** What the signed value means, where it says more than the usage does. */
function detail(item: LimitUsage): string | null {
  if (item.value == null) return null;
  if (item.key === "daily_loss") return `Today's P&L ${formatPnl(item.value)}`;
  if (item.unit === "greek" && item.value !== item.used) return `Net ${formatAmount(item, item.value)}`;
  return null;
}

function UsageRow({ item }: { item: LimitUsage }) {
  const level = usageLevel(item.ratio);
  const width = item.ratio == null ? 0 : Math.min(Math.max(item.ratio, 0), 1) * 100;
  const extra = detail(item);
  return (
    <li className="usage-row" data-level={level}>
      <span className="usage-label" id={`usage-${item.key}`}>
        {item.label}
      </span>
      <div
        className={`usage-bar usage-${level}`}
        role="meter"
        aria-labelledby={`usage-${item.key}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={item.ratio == null ? undefined : Math.round(Math.min(item.ratio, 9.99) * 100)}
        aria-valuetext={item.ratio == null ? (item.reason ?? "unknown") : `${formatPercent(item.ratio)} of the limit`}
      >
        <span style={{ width: `${width}%` }} />
      </div>
      <div className="usage-figures small">
        <span>
          {item.used == null ? (
            <span className="muted">{item.reason ?? "Unknown now"}</span>
          ) : (
            <>
              {formatAmount(item, item.used)} <span className="muted">of</span> {formatAmount(item, item.limit)}
              {extra ? <span className="muted"> · {extra}</span> : null}
            </>
          )}
        </span>
        <span className={`usage-pct usage-${level}`}>{formatPercent(item.ratio)}</span>
      </div>
    </li>
  );
}

/** Every limit with a bar of its usage: green, amber from 75%, red from 90%. */
export function LimitsUsageList({ usage }: { usage: RiskUsage }) {
  return (
    <ul className="usage-list" aria-label="Limits usage">
      {usage.items.map((item) => (
        <UsageRow key={item.key} item={item} />
      ))}
    </ul>
  );
}
