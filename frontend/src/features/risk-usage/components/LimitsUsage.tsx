import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { useRiskUsage } from "@/features/risk-usage/api/get-risk-usage";
import { LimitsUsageList } from "@/features/risk-usage/components/LimitsUsageList";

/** The dashboard's panel: how close the client is to each of its risk limits, refreshed by the stream. */
export function LimitsUsage({ clientId }: { clientId: string }) {
  const query = useRiskUsage(clientId);
  const usage = query.data;
  return (
    <Panel
      id="limits"
      title="Limits"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
    >
      <div className="panel-body">
      {query.error && !usage ? (
        <ErrorNotice error={query.error} title="Could not load the limits usage" onRetry={() => void query.refetch()} compact />
      ) : null}
      {usage ? (
        <>
          <LimitsUsageList usage={usage} />
          {!usage.broker_connected ? (
            <p className="muted small">The broker is not connected: loss, greeks and the capital budget are unknown until it is.</p>
          ) : null}
        </>
      ) : query.isPending ? (
        <p className="muted" role="status">
          Loading limits…
        </p>
      ) : null}
      </div>
    </Panel>
  );
}
