import { type Column, DataTable } from "@/components/DataTable";
import { Panel } from "@/components/Panel";
import { type TradingStateRow, useTradingHalt } from "@/features/trading-halt/api/trading-halt";
import { ModeBadge } from "@/features/trading-halt/components/ModeBadge";
import { formatDateTime } from "@/lib/format";

interface TradingStatesPanelProps {
  /** Client names by id, to show names rather than ids. */
  clientNames: Record<string, string>;
}

function scopeName(row: TradingStateRow, names: Record<string, string>): string {
  if (!row.client_id) return "All clients (global)";
  return names[row.client_id] ?? row.client_id;
}

/** What governs trading now: the global state and every client that is not ACTIVE. */
export function TradingStatesPanel({ clientNames }: TradingStatesPanelProps) {
  const query = useTradingHalt({ limit: 50, offset: 0 });
  const overview = query.data;
  const rows = overview ? [overview.global, ...overview.clients] : undefined;
  const columns: Column<TradingStateRow>[] = [
    { key: "scope", header: "Scope", render: (r) => <strong>{scopeName(r, clientNames)}</strong> },
    { key: "state", header: "State", render: (r) => <ModeBadge mode={r.state} /> },
    {
      key: "reduce",
      header: "Reduce-only exits",
      render: (r) => (r.state === "HALTED" ? (r.allow_reduce_only ? "allowed" : "blocked") : "—"),
      secondary: true,
    },
    { key: "reason", header: "Reason", render: (r) => r.reason ?? <span className="muted">—</span> },
    { key: "by", header: "By", render: (r) => r.changed_by ?? "—", secondary: true },
    { key: "at", header: "Since", align: "right", render: (r) => formatDateTime(r.changed_at) },
  ];
  return (
    <Panel
      id="trading-states"
      title="Trading now"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <DataTable
        label="Trading states"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.scope}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        empty="No trading state recorded."
        skeletonRows={1}
      />
      {overview && overview.clients.length === 0 ? (
        <p className="panel-foot muted small">Every client follows the global state.</p>
      ) : null}
    </Panel>
  );
}
