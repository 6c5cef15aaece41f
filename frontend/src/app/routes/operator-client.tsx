import { Link, useParams } from "react-router";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { useClientDetail } from "@/features/clients/api/get-client-detail";
import { ClientOverview } from "@/features/clients/components/ClientOverview";
import { ClientUsers } from "@/features/clients/components/ClientUsers";
import { LimitsUsageList } from "@/features/risk-usage/components/LimitsUsageList";
import { useDocumentTitle } from "@/hooks/use-document-title";

/** One client for operators: broker session, modes, trading state, limits usage, users. */
export function OperatorClientRoute() {
  const { clientId = "" } = useParams();
  const query = useClientDetail(clientId);
  const detail = query.data;
  useDocumentTitle(detail ? `${detail.client.name} · Operator` : "Client · Operator");
  return (
    <div className="page">
      <p className="small">
        <Link to="/operator">← All clients</Link>
      </p>
      <h1 className="page-title">{detail?.client.name ?? "Client"}</h1>
      {query.error && !detail ? (
        <ErrorNotice error={query.error} title="Could not load the client" onRetry={() => void query.refetch()} />
      ) : null}
      {query.isPending ? (
        <p className="muted" role="status">
          Loading the client…
        </p>
      ) : null}
      {detail ? (
        <>
          <Panel id="client-state" title="State" updatedAt={query.dataUpdatedAt} isFetching={query.isFetching} onRefresh={() => void query.refetch()}>
            <ClientOverview detail={detail} />
          </Panel>
          <Panel id="client-limits" title="Limits">
            <div className="panel-body">
              <LimitsUsageList usage={detail.usage} />
            </div>
          </Panel>
          <Panel id="client-users" title="Users" count={detail.users.length}>
            <ClientUsers users={detail.users} />
          </Panel>
        </>
      ) : null}
    </div>
  );
}
