import { useState } from "react";

import { type Column, DataTable } from "@/components/DataTable";
import { Pnl } from "@/components/Num";
import { Pager } from "@/components/Pager";
import { Panel } from "@/components/Panel";
import { type Position, usePositions } from "@/features/positions/api/get-positions";
import { ClosePositionButton } from "@/features/positions/components/ClosePositionButton";
import { formatCost, formatMoney, formatPrice, formatQuantity } from "@/lib/decimal";
import { formatDateTime, formatGreek } from "@/lib/format";
import { describeInstrument } from "@/lib/instrument";

const PAGE_SIZE = 50;

function columnsFor(clientId: string): Column<Position>[] {
  return [
    {
      key: "instrument",
      header: "Instrument",
      render: (p) => (
        <span className="instrument" title={p.instrument_key}>
          {describeInstrument(p)}
        </span>
      ),
    },
    { key: "type", header: "Type", render: (p) => p.sec_type, secondary: true },
    {
      key: "quantity",
      header: "Qty",
      align: "right",
      render: (p) => <span className={p.quantity.startsWith("-") ? "down" : undefined}>{formatQuantity(p.quantity)}</span>,
    },
    { key: "multiplier", header: "Mult", align: "right", render: (p) => p.multiplier, secondary: true, title: "Contract multiplier" },
    { key: "avg", header: "Avg cost", align: "right", render: (p) => formatCost(p.average_cost), title: "Average cost per unit" },
    { key: "mark", header: "Mark", align: "right", render: (p) => formatPrice(p.mark), title: "Mid (or last) per unit" },
    { key: "value", header: "Mkt value", align: "right", render: (p) => formatMoney(p.market_value), secondary: true },
    { key: "unrealized", header: "Unreal. P&L", align: "right", render: (p) => <Pnl value={p.unrealized_pnl} /> },
    { key: "realized", header: "Realised P&L", align: "right", render: (p) => <Pnl value={p.realized_pnl} /> },
    { key: "delta", header: "Δ", align: "right", render: (p) => formatGreek(p.delta), title: "Delta, in shares of underlying" },
    { key: "gamma", header: "Γ", align: "right", render: (p) => formatGreek(p.gamma, 4), title: "Gamma", secondary: true },
    { key: "theta", header: "Θ", align: "right", render: (p) => formatGreek(p.theta), title: "Theta, per calendar day" },
    { key: "vega", header: "V", align: "right", render: (p) => formatGreek(p.vega), title: "Vega, per volatility point", secondary: true },
    { key: "opened", header: "Opened", align: "right", render: (p) => formatDateTime(p.opened_at), secondary: true },
    {
      key: "actions",
      header: <span className="visually-hidden">Actions</span>,
      align: "right",
      render: (p) => <ClosePositionButton clientId={clientId} positionId={p.id} label={describeInstrument(p)} />,
    },
  ];
}

export function PositionsTable({ clientId }: { clientId: string }) {
  const [offset, setOffset] = useState(0);
  const query = usePositions({ clientId, limit: PAGE_SIZE, offset });
  const page = query.data;
  return (
    <Panel
      id="positions"
      title="Positions"
      count={page?.total}
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <DataTable
        label="Positions"
        columns={columnsFor(clientId)}
        rows={page?.items}
        rowKey={(p) => p.id}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        empty={
          <>
            <strong>No positions yet.</strong> Holdings appear here once a trade fills.
          </>
        }
      />
      {page ? <Pager label="Positions" offset={offset} limit={PAGE_SIZE} total={page.total} onChange={setOffset} /> : null}
    </Panel>
  );
}
