import type { ReactNode } from "react";

import { StatusBadge } from "@/components/StatusBadge";
import type { ClientDetail } from "@/features/clients/api/get-client-detail";
import { formatMoney } from "@/lib/decimal";
import { formatDateTime } from "@/lib/format";

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The client's broker session, agent mode and effective mode, and trading state, at a glance. */
export function ClientOverview({ detail }: { detail: ClientDetail }) {
  const { broker, agent, trading } = detail;
  return (
    <div className="panel-body stack">
      <dl className="figures" aria-label="Client state">
        <Figure label="Status">
          <StatusBadge status={detail.client.status} />
        </Figure>
        <Figure label="Broker">{broker.kind ?? "none"}</Figure>
        <Figure label="Broker session">
          <StatusBadge status={broker.state} />
        </Figure>
        <Figure label="Net liquidation">{broker.account ? `${formatMoney(broker.account.net_liquidation)} ${broker.account.currency}` : "—"}</Figure>
        <Figure label="Agent mode">{agent.mode}</Figure>
        <Figure label="Effective mode">{agent.effective_mode}</Figure>
        <Figure label="Agent">
          <StatusBadge status={agent.state} />
        </Figure>
        <Figure label="Trading">
          <StatusBadge status={trading.effective} />
        </Figure>
      </dl>
      {broker.last_error ? <p className="notice notice-error small">Broker error: {broker.last_error}</p> : null}
      {agent.effective_reasons.length ? (
        <p className="muted small">Effective mode: {agent.effective_reasons.join("; ")}.</p>
      ) : null}
      <p className="muted small">
        Trading: global {trading.global_state.toLowerCase()}, client {trading.client_state.toLowerCase()}. Created{" "}
        {formatDateTime(detail.client.created_at)}.
      </p>
    </div>
  );
}
