import { useState } from "react";

import { type Column, DataTable } from "@/components/DataTable";
import { Pager } from "@/components/Pager";
import { Panel } from "@/components/Panel";
import { type TradingStateChange, useTradingHalt } from "@/features/trading-halt/api/trading-halt";
import { ModeBadge } from "@/features/trading-halt/components/ModeBadge";
import { formatDateTime } from "@/lib/format";

const PAGE_SIZE = 50;

/** Every change of a trading state, newest first: who, when, from what to what, and why. */
export function HaltHistoryTable({ clientNames }: { clientNames: Record<string, string> }) {
  const [offset, setOffset] = useState(0);
  const query = useTradingHalt({ limit: PAGE_SIZE, offset });
  const history = query.data?.history;
  const columns: Column<TradingStateChange>[] = [
    { key: "at", header: "When", render: (c) => formatDateTime(c.changed_at) },
    {
      key: "scope",
      header: "Scope",
      render: (c) => (c.client_id ? (clientNames[c.client_id] ?? c.client_id) : "Global"),
    },
    {
      key: "change",
      header: "Change",
      render: (c) => (
        <span className="button-row tight">
          <ModeBadge mode={c.from_state} /> → <ModeBadge mode={c.to_state} />
        </span>
      ),
    },
    { key: "reason", header: "Reason", render: (c) => <span className="wrap">{c.reason}</span> },
    { key: "by", header: "By", render: (c) => c.changed_by, secondary: true },
  ];
  return (
    <Panel
      id="halt-history"
      title="History"
      count={history?.total}
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <DataTable
        label="Trading state history"
        columns={columns}
        rows={history?.items}
        rowKey={(c) => c.id}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        empty="No changes yet: trading has been active since the start."
      />
      {history ? (
        <Pager label="History" offset={offset} limit={PAGE_SIZE} total={history.total} onChange={setOffset} />
      ) : null}
    </Panel>
  );
}
