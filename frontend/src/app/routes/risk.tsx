import { ParametersEditor } from "@/features/agent/components/ParametersEditor";
import { ParametersHistory } from "@/features/agent/components/ParametersHistory";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

export function RiskRoute() {
  useDocumentTitle("Risk");
  const clientId = useSession()?.clientId;
  if (!clientId) {
    return (
      <div className="notice notice-error" role="alert">
        This account is not linked to a client, so there are no risk parameters to show.
      </div>
    );
  }
  return (
    <div className="page">
      <h1 className="page-title">Risk parameters</h1>
      <div className="risk-grid">
        <ParametersEditor clientId={clientId} />
        <ParametersHistory clientId={clientId} />
      </div>
    </div>
  );
}
