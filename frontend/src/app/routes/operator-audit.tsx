import { AuditTable } from "@/features/audit/components/AuditTable";
import { useClients } from "@/features/clients/api/get-clients";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function OperatorAuditRoute() {
  useDocumentTitle("Audit trail");
  const clients = useClients({ limit: 500, offset: 0 }).data?.items ?? [];
  const names = Object.fromEntries(clients.map((c) => [c.id, c.name]));
  return (
    <div className="page">
      <h1 className="page-title">Audit trail</h1>
      <AuditTable clientNames={names} />
    </div>
  );
}
