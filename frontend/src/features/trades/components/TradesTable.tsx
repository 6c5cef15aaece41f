import { useId, useState } from "react";

import { type Column, DataTable } from "@/components/DataTable";
import { Pager } from "@/components/Pager";
import { Panel } from "@/components/Panel";
import { StatusBadge } from "@/components/StatusBadge";
import {
  TRADE_STATUSES,
  type Trade,
  type TradeLeg,
  type TradeStatus,
  useTrades,
} from "@/features/trades/api/get-trades";
import { CANCELLABLE, CancelTradeButton } from "@/features/trades/components/CancelTradeButton";
import { DenialReasons } from "@/features/trades/components/DenialReasons";
import { formatPrice } from "@/lib/decimal";
import { formatDateTime } from "@/lib/format";
import { describeInstrument } from "@/lib/instrument";

const PAGE_SIZE = 50;

function legText(leg: TradeLeg): string {
  const sign = leg.side.toLowerCase() === "sell" ? "-" : "+";
  return `${sign}${leg.ratio} ${describeInstrument(leg)}`;
}

function orderText(trade: Trade): string {
  if (trade.order_type === "limit" && trade.limit_price != null) return `LMT ${formatPrice(trade.limit_price)}`;
  return trade.order_type.toUpperCase() === "MARKET" ? "MKT" : trade.order_type.toUpperCase();
}

function columnsFor(clientId: string): Column<Trade>[] {
  return [
  { key: "created", header: "Created", render: (t) => formatDateTime(t.created_at) },
  { key: "underlying", header: "Underlying", render: (t) => <strong>{t.underlying}</strong> },
  {
    key: "legs",
    header: "Legs",
    render: (t) =>
      t.legs.length === 0 ? (
        "—"
      ) : (
        <ul className="legs">
          {t.legs.map((leg) => (
            <li key={leg.leg_index} className={leg.side.toLowerCase() === "sell" ? "down" : "up"}>
              {legText(leg)}
            </li>
          ))}
        </ul>
      ),
  },
  { key: "strategy", header: "Strategy", render: (t) => t.strategy ?? "—", secondary: true },
  { key: "qty", header: "Qty", align: "right", render: (t) => t.quantity.toLocaleString("en-US") },
  { key: "order", header: "Order", align: "right", render: (t) => orderText(t) },
  { key: "tif", header: "TIF", render: (t) => t.time_in_force.toUpperCase(), secondary: true, title: "Time in force" },
  { key: "origin", header: "Origin", render: (t) => t.origin, secondary: true },
  {
    key: "status",
    header: "Status",
    render: (t) => (
      <div className="status-cell">
        <StatusBadge status={t.status} />
        <DenialReasons reasons={t.denial_reasons} compact />
      </div>
    ),
  },
  {
    key: "actions",
    header: <span className="visually-hidden">Actions</span>,
    align: "right",
    render: (t) => (CANCELLABLE.has(t.status) ? <CancelTradeButton clientId={clientId} tradeId={t.id} /> : null),
  },
  ];
}

export function TradesTable({ clientId }: { clientId: string }) {
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<TradeStatus | null>(null);
  const query = useTrades({ clientId, status, limit: PAGE_SIZE, offset });
  const page = query.data;
  const filterId = useId();

  const filter = (
    <label className="inline-field" htmlFor={filterId}>
      <span className="muted small">Status</span>
      <select
        id={filterId}
        value={status ?? ""}
        onChange={(e) => {
          setStatus((e.target.value || null) as TradeStatus | null);
          setOffset(0);
        }}
      >
        <option value="">All</option>
        {TRADE_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.replace(/_/g, " ")}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <Panel
      id="trades"
      title="Trades"
      count={page?.total}
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
      actions={filter}
    >
      <DataTable
        label="Trades"
        columns={columnsFor(clientId)}
        rows={page?.items}
        rowKey={(t) => t.id}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        empty={
          status ? (
            <>
              <strong>No {status.replace(/_/g, " ")} trades.</strong> Choose “All” to see every trade.
            </>
          ) : (
            <>
              <strong>No trades yet.</strong> Trades the agent proposes or you place will be listed here.
            </>
          )
        }
      />
      {page ? <Pager label="Trades" offset={offset} limit={PAGE_SIZE} total={page.total} onChange={setOffset} /> : null}
    </Panel>
  );
}
