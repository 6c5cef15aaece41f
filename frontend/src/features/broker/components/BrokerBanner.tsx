import { Link } from "react-router";

import { useBrokerStatus } from "@/features/broker/api/get-broker";
import { brokerLabel, brokerStateText } from "@/features/broker/components/broker-kinds";

/** A banner while the broker is not connected, with the way to fix it. Nothing when it is. */
export function BrokerBanner({ clientId, settingsPath }: { clientId: string; settingsPath: string }) {
  const { data } = useBrokerStatus(clientId);
  if (!data || data.state === "connected") return null;
  if (data.state === "not_configured") {
    return (
      <div className="banner banner-warn" role="alert" aria-label="Broker connection">
        <strong>No broker is set up.</strong>
        <span> Nothing can be traded until one is.</span>
        <Link to="/onboarding">Set one up</Link>
      </div>
    );
  }
  const connecting = data.state === "connecting";
  return (
    <div className={`banner ${connecting ? "banner-warn" : "banner-bad"}`} role="alert" aria-label="Broker connection">
      <strong>
        {brokerLabel(data.kind)} {connecting ? "is connecting" : "is disconnected"}
      </strong>
      <span> ({brokerStateText(data.state).toLowerCase()})</span>
      {data.last_error ? <span className="banner-meta">{data.last_error}</span> : null}
      <Link to={settingsPath}>Broker settings</Link>
    </div>
  );
}
