import { type FormEvent, useState } from "react";

import { type Column, DataTable } from "@/components/DataTable";
import { Pager } from "@/components/Pager";
import { Panel } from "@/components/Panel";
import { type AuditPage, type AuditRecord, useAudit } from "@/features/audit/api/get-audit";
import { formatDateTime } from "@/lib/format";

const PAGE_SIZE = 50;

function Verification({ verification }: { verification: AuditPage["verification"] | undefined }) {
  if (verification === undefined) return null;
  if (verification === null) {
    return <p className="notice notice-info">The server did not verify the chains for this page.</p>;
  }
  if (verification.ok) {
    return (
      <p className="notice notice-success" role="status" data-testid="audit-verification">
        <strong>Verified:</strong> every hash chain recomputes from its first record to its last.
      </p>
    );
  }
  return (
    <div className="notice notice-error notice-block" role="alert" data-testid="audit-verification">
      <strong>Verification failed:</strong> {verification.breaks.length} chain
      {verification.breaks.length === 1 ? "" : "s"} do not recompute.
      <ul className="reasons">
        {verification.breaks.map((b) => (
          <li key={`${b.chain}-${b.record_id}`}>
            Chain <code>{b.chain}</code> breaks at record {b.record_id} (seq {b.seq}): {b.problem}
          </li>
        ))}
      </ul>
    </div>
  );
}

function short(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

/** The audit trail, newest first, with whether every hash chain verifies. */
export function AuditTable({ clientNames }: { clientNames: Record<string, string> }) {
  const [offset, setOffset] = useState(0);
  const [draft, setDraft] = useState("");
  const [action, setAction] = useState("");
  const query = useAudit({ action, limit: PAGE_SIZE, offset });
  const page = query.data;

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAction(draft.trim());
    setOffset(0);
  }

  const columns: Column<AuditRecord>[] = [
    { key: "at", header: "When", render: (r) => formatDateTime(r.occurred_at) },
    { key: "action", header: "Action", render: (r) => <code>{r.action}</code> },
    {
      key: "chain",
      header: "Chain",
      render: (r) => (r.client_id ? (clientNames[r.client_id] ?? r.client_id) : "global"),
    },
    { key: "seq", header: "Seq", align: "right", render: (r) => r.seq.toLocaleString("en-US"), secondary: true },
    { key: "actor", header: "Actor", render: (r) => `${r.actor_type}${r.actor_id ? `:${r.actor_id}` : ""}`, secondary: true },
    { key: "subject", header: "Subject", render: (r) => r.subject ?? "—", secondary: true },
    {
      key: "data",
      header: "Data",
      render: (r) => (
        <code className="data-cell" title={JSON.stringify(r.data, null, 2)}>
          {JSON.stringify(r.data)}
        </code>
      ),
    },
    { key: "hash", header: "Hash", render: (r) => <code title={r.hash}>{short(r.hash)}</code>, secondary: true },
  ];

  return (
    <Panel
      id="audit"
      title="Audit trail"
      count={page?.total}
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
      actions={
        <form className="inline-field" onSubmit={filter} role="search" aria-label="Filter the audit trail">
          <label htmlFor="audit-action" className="muted small">
            Action starts with
          </label>
          <input id="audit-action" value={draft} placeholder="trading." onChange={(e) => setDraft(e.target.value)} />
          <button type="submit" className="btn btn-small">
            Filter
          </button>
        </form>
      }
    >
      <div className="panel-body">
        <Verification verification={page?.verification} />
      </div>
      <DataTable
        label="Audit records"
        columns={columns}
        rows={page?.items}
        rowKey={(r) => String(r.id)}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        empty={action ? `No records whose action starts with “${action}”.` : "No audit records yet."}
      />
      {page ? <Pager label="Audit records" offset={offset} limit={PAGE_SIZE} total={page.total} onChange={setOffset} /> : null}
    </Panel>
  );
}
