import { useState } from "react";
import { Link } from "react-router";

import { Panel } from "@/components/Panel";
import { type BrokerKind, useBrokerStatus } from "@/features/broker/api/get-broker";
import { BrokerSetupForm } from "@/features/broker/components/BrokerSetupForm";
import { BrokerStatusPanel } from "@/features/broker/components/BrokerStatusPanel";
import { BROKER_KINDS, BROKER_LABELS } from "@/features/broker/components/broker-kinds";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

/** Broker connection status, reconnect, and new settings or credentials. */
export function SettingsRoute() {
  useDocumentTitle("Settings");
  const clientId = useSession()?.clientId;
  const broker = useBrokerStatus(clientId);
  const [kind, setKind] = useState<BrokerKind | null>(null);
  if (!clientId) {
    return (
      <div className="notice notice-error" role="alert">
        This account is not linked to a client, so there are no settings to show.
      </div>
    );
  }
  const available = broker.data?.available_kinds;
  const current = broker.data?.kind as BrokerKind | null | undefined;
  const shown: BrokerKind = kind ?? (current && BROKER_KINDS.includes(current) ? current : "simulator");

  return (
    <div className="page">
      <h1 className="page-title">Settings</h1>
      <div className="settings-grid">
        <BrokerStatusPanel clientId={clientId} />
        <Panel
          id="broker-change"
          title="Broker settings"
          actions={
            <Link className="small" to="/onboarding">
              Run the set-up again
            </Link>
          }
        >
          <div className="panel-body stack">
            <div className="field">
              <label htmlFor="settings-kind">Broker</label>
              <select id="settings-kind" value={shown} onChange={(e) => setKind(e.target.value as BrokerKind)}>
                {BROKER_KINDS.map((k) => (
                  <option key={k} value={k} disabled={available ? !available.includes(k) : false}>
                    {BROKER_LABELS[k]}
                    {available && !available.includes(k) ? " (not available)" : ""}
                  </option>
                ))}
              </select>
            </div>
            <BrokerSetupForm key={shown} clientId={clientId} kind={shown} saveLabel="Save broker settings" />
          </div>
        </Panel>
      </div>
    </div>
  );
}
