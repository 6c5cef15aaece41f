import { useState } from "react";
import { Link } from "react-router";

import { type Column, DataTable } from "@/components/DataTable";
import { Pager } from "@/components/Pager";
import { Panel } from "@/components/Panel";
import { StatusBadge } from "@/components/StatusBadge";
import { type ClientSummary, useClients } from "@/features/clients/api/get-clients";
import { formatDateTime } from "@/lib/format";

const PAGE_SIZE = 50;

const columns: Column<ClientSummary>[] = [
  {
    key: "name",
    header: "Name",
    render: (c) => (
      <Link to={`/operator/clients/${c.id}`}>
        <strong>{c.name}</strong>
      </Link>
    ),
  },
  { key: "status", header: "Status", render: (c) => <StatusBadge status={c.status} /> },
  {
    key: "id",
    header: "Client id",
    render: (c) => (
      <code className="id" title={c.id}>
        {c.id}
      </code>
    ),
    secondary: true,
  },
  { key: "created", header: "Created", align: "right", render: (c) => formatDateTime(c.created_at) },
];

export function ClientsTable({ highlightId }: { highlightId?: string | null }) {
  const [offset, setOffset] = useState(0);
  const query = useClients({ limit: PAGE_SIZE, offset });
  const page = query.data;
  return (
    <Panel
      id="clients"
      title="Clients"
      count={page?.total}
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <DataTable
        label="Clients"
        columns={columns.map((column) =>
          column.key === "name" && highlightId
            ? {
                ...column,
                render: (c: ClientSummary) => (
                  <Link to={`/operator/clients/${c.id}`}>
                    <strong className={c.id === highlightId ? "just-added" : undefined}>
                      {c.name}
                      {c.id === highlightId ? <span className="badge badge-info">new</span> : null}
                    </strong>
                  </Link>
                ),
              }
            : column,
        )}
        rows={page?.items}
        rowKey={(c) => c.id}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        empty={
          <>
            <strong>No clients yet.</strong> Create the first one with the form.
          </>
        }
      />
      {page ? <Pager label="Clients" offset={offset} limit={PAGE_SIZE} total={page.total} onChange={setOffset} /> : null}
    </Panel>
  );
}
