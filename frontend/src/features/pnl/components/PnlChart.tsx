import { useMemo, useState } from "react";

import type { components } from "@/client/schema";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Pnl } from "@/components/Num";
import { Panel } from "@/components/Panel";
import { formatDateTime } from "@/lib/format";

import { usePnlHistory } from "../api/get-pnl-history";
import { type AccountPoint, type Measure, periodChange, toChartPoints } from "../lib/chart-data";
import { PnlCanvas } from "./PnlCanvas";

type Account = components["schemas"]["AccountSummaryRead"];

interface PnlChartProps {
  clientId: string;
  /** The broker's current balances (from the broker status): the line's live end; null while it reports none. */
  account?: Account | null;
}

const MEASURES: { value: Measure; label: string }[] = [
  { value: "net_liquidation", label: "Net liquidation" },
  { value: "pnl", label: "P&L" },
];

const MEASURE_NAMES: Record<Measure, string> = { net_liquidation: "Net liquidation", pnl: "Total P&L" };

function livePoint(account: Account | null | undefined): AccountPoint | null {
  if (!account) return null;
  return {
    at: account.ts,
    net_liquidation: account.net_liquidation,
    realized: account.realized_pnl,
    unrealized: account.unrealized_pnl,
  };
}

/** The recorded points, then the live one when it is newer than the last. */
function withLive(recorded: AccountPoint[], live: AccountPoint | null): AccountPoint[] {
  const last = recorded[recorded.length - 1];
  return live && (!last || Date.parse(live.at) > Date.parse(last.at)) ? [...recorded, live] : recorded;
}

/** Net liquidation or total P&L over time: the recorded history, extended live by the broker's balances. */
export function PnlChart({ clientId, account }: PnlChartProps) {
  const query = usePnlHistory(clientId);
  const [measure, setMeasure] = useState<Measure>("net_liquidation");
  // The account keeps its identity between refetches that change nothing (the query's structural sharing).
  const live = useMemo(() => livePoint(account), [account]);
  const history = query.data?.points;
  const data = useMemo(() => toChartPoints(history ?? [], measure, live), [history, measure, live]);
  const shown = useMemo(() => withLive(history ?? [], live), [history, live]);
  const change = periodChange(shown, measure);
  const baseline = measure === "pnl" ? 0 : (data[0]?.value ?? 0);
  const currency = history?.[0]?.currency ?? account?.currency;

  return (
    <Panel
      id="pnl"
      title="P&L over time"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
      actions={
        <div className="pnl-measures" role="group" aria-label="Measure">
          {MEASURES.map((m) => (
            <button
              key={m.value}
              type="button"
              className={`btn btn-small${measure === m.value ? "" : " btn-ghost"}`}
              aria-pressed={measure === m.value}
              onClick={() => setMeasure(m.value)}
            >
              {m.label}
            </button>
          ))}
        </div>
      }
    >
      <div className="panel-body">
        {query.isPending ? (
          <div className="pnl-chart pnl-chart-loading" aria-busy="true" aria-label="Loading P&L history">
            <span className="skeleton" />
          </div>
        ) : query.error && !history ? (
          <ErrorNotice error={query.error} title="Could not load the P&L history" onRetry={() => void query.refetch()} />
        ) : data.length === 0 ? (
          <p className="muted pnl-summary">
            No P&L history yet. A point is recorded every few minutes while the broker is connected.
          </p>
        ) : (
          <>
            <p className="pnl-summary small">
              {change !== null && shown[0] ? (
                <>
                  Change since {formatDateTime(shown[0].at)}: <Pnl value={change} />
                  {currency ? <span className="muted"> {currency}</span> : null}
                </>
              ) : (
                <span className="muted">One point so far; the line grows as points are recorded.</span>
              )}
            </p>
            <PnlCanvas
              data={data}
              baseline={baseline}
              label={`${MEASURE_NAMES[measure]} over time, ${data.length} point${data.length === 1 ? "" : "s"}`}
            />
          </>
        )}
      </div>
    </Panel>
  );
}
