import { Navigate } from "react-router";

import { useBrokerStatus } from "@/features/broker/api/get-broker";
import { PnlChart } from "@/features/pnl/components/PnlChart";
import { AccountSummary } from "@/features/portfolio/components/AccountSummary";
import { PositionsTable } from "@/features/positions/components/PositionsTable";
import { LimitsUsage } from "@/features/risk-usage/components/LimitsUsage";
import { TradesTable } from "@/features/trades/components/TradesTable";
import { TradeTicketForm } from "@/features/trades/components/TradeTicketForm";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

export function DashboardRoute() {
  useDocumentTitle("Dashboard");
  const session = useSession();
  const clientId = session?.clientId;
  const broker = useBrokerStatus(clientId);
  if (!clientId) {
    return (
      <div className="notice notice-error" role="alert">
        This account is not linked to a client, so there is no dashboard to show.
      </div>
    );
  }
  // A client without a broker has nothing to show yet: onboarding comes first.
  if (broker.data?.state === "not_configured") return <Navigate to="/onboarding" replace />;
  return (
    <div className="page">
      <h1 className="page-title">Dashboard</h1>
      <AccountSummary clientId={clientId} account={broker.data?.account} accountLoading={broker.isPending} />
      <PnlChart clientId={clientId} account={broker.data?.account} />
      <LimitsUsage clientId={clientId} />
      <PositionsTable clientId={clientId} />
      <div className="dashboard-grid">
        <TradesTable clientId={clientId} />
        <TradeTicketForm clientId={clientId} />
      </div>
    </div>
  );
}
