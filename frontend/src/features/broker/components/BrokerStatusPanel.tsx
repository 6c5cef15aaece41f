import type { ReactNode } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { useReconnectBroker } from "@/features/broker/api/change-broker";
import { type BrokerStatus, useBrokerStatus } from "@/features/broker/api/get-broker";
import { brokerLabel, brokerStateText, brokerStateTone } from "@/features/broker/components/broker-kinds";
import { formatMoney } from "@/lib/decimal";
import { formatDateTime } from "@/lib/format";

const CAPABILITY_TEXT: [keyof NonNullable<BrokerStatus["capabilities"]>, string][] = [
  ["options", "options"],
  ["combos", "multi-leg orders"],
  ["market_orders", "market orders"],
  ["gtc", "good-till-cancelled"],
  ["streaming", "streaming quotes"],
  ["native_greeks", "broker greeks"],
  ["delayed_data", "delayed data"],
];

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The broker connection: state, last error, account, and a reconnect button. */
export function BrokerStatusPanel({ clientId }: { clientId: string }) {
  const query = useBrokerStatus(clientId);
  const reconnect = useReconnectBroker(clientId);
  const status = query.data;
  const tone = status ? brokerStateTone(status.state) : "warn";

  return (
    <Panel
      id="broker-status"
      title="Broker connection"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
      actions={
        <button
          type="button"
          className="btn btn-small"
          onClick={() => reconnect.mutate()}
          disabled={reconnect.isPending || !status || status.state === "not_configured"}
        >
          {reconnect.isPending ? "Reconnecting…" : "Reconnect"}
        </button>
      }
    >
      <div className="panel-body stack">
        {query.isPending ? (
          <p className="muted" role="status">
            Loading the broker connection…
          </p>
        ) : null}
        {query.error && !status ? (
          <ErrorNotice error={query.error} title="Could not load the broker" onRetry={() => void query.refetch()} />
        ) : null}
        {reconnect.error ? <ErrorNotice error={reconnect.error} title="Could not reconnect" /> : null}
        {reconnect.isSuccess && !reconnect.isPending ? (
          <p className="notice notice-success" role="status">
            Reconnected: the broker is {brokerStateText(reconnect.data.state).toLowerCase()}.
          </p>
        ) : null}
        {status ? (
          <dl className="facts">
            <Row term="Broker">{brokerLabel(status.kind)}</Row>
            <Row term="State">
              <span className={`badge badge-${tone}`} data-testid="broker-state">
                {brokerStateText(status.state)}
              </span>
            </Row>
            <Row term="Connected since">{formatDateTime(status.connected_at)}</Row>
            <Row term="Last error">
              {status.last_error ? <span className="down">{status.last_error}</span> : <span className="muted">None</span>}
            </Row>
            <Row term="Reconnects">{status.reconnects.toLocaleString("en-US")}</Row>
            <Row term="Credentials">{status.has_credentials ? "Stored (encrypted)" : "None stored"}</Row>
            <Row term="Account">
              {status.account ? (
                <>
                  <code>{status.account.account_id}</code> · {status.account.currency} · net liq{" "}
                  <span className="num">{formatMoney(status.account.net_liquidation)}</span>
                </>
              ) : (
                <span className="muted">Not reported</span>
              )}
            </Row>
            {status.capabilities ? (
              <Row term="Supports">
                {CAPABILITY_TEXT.filter(([key]) => status.capabilities?.[key])
                  .map(([, text]) => text)
                  .join(", ") || "—"}
              </Row>
            ) : null}
          </dl>
        ) : null}
      </div>
    </Panel>
  );
}
