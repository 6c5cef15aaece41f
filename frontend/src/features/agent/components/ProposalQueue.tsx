import { useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { useProposals } from "@/features/agent/api/proposals";

import { ProposalCard } from "./ProposalCard";

/** The trades the agent proposed that wait for the client's approve or reject. */
export function ProposalQueue({ clientId }: { clientId: string }) {
  const query = useProposals(clientId);
  const items = query.data?.items ?? [];
  const [note, setNote] = useState<string | null>(null);
  return (
    <Panel
      id="proposals"
      title="Proposals"
      count={query.data?.total}
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <div className="panel-body stack">
        {query.isPending ? (
          <p className="muted" role="status">
            Loading proposals…
          </p>
        ) : null}
        {query.error ? (
          <ErrorNotice error={query.error} title="Could not load proposals" onRetry={() => void query.refetch()} />
        ) : null}
        {note ? (
          <p className="notice notice-success" role="status" data-testid="decision-note">
            {note}
          </p>
        ) : null}
        {query.isSuccess && items.length === 0 ? (
          <p className="muted">No proposals waiting. The agent adds them here when a scan finds a trade.</p>
        ) : null}
        {items.map((proposal) => (
          <ProposalCard key={proposal.id} clientId={clientId} proposal={proposal} onDecided={setNote} />
        ))}
      </div>
    </Panel>
  );
}
