import { PositionsTable } from "@/features/positions/components/PositionsTable";
import { TradesTable } from "@/features/trades/components/TradesTable";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

export function DashboardRoute() {
  useDocumentTitle("Dashboard");
  const session = useSession();
  const clientId = session?.clientId;
  if (!clientId) {
    return (
      <div className="notice notice-error" role="alert">
        This account is not linked to a client, so there is no dashboard to show.
      </div>
    );
  }
  return (
    <div className="page">
      <h1 className="page-title">Dashboard</h1>
      <PositionsTable clientId={clientId} />
      <TradesTable clientId={clientId} />
    </div>
  );
}
