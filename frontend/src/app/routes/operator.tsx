import { useState } from "react";

import { ClientsTable } from "@/features/clients/components/ClientsTable";
import { CreateClientForm } from "@/features/clients/components/CreateClientForm";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function OperatorRoute() {
  useDocumentTitle("Operator console");
  const [createdId, setCreatedId] = useState<string | null>(null);
  return (
    <div className="page">
      <h1 className="page-title">Operator console</h1>
      <div className="operator-grid">
        <ClientsTable highlightId={createdId} />
        <section className="panel" aria-labelledby="new-client-heading">
          <header className="panel-header">
            <h2 id="new-client-heading">New client</h2>
          </header>
          <div className="panel-body">
            <CreateClientForm onCreated={(result) => setCreatedId(result.client.id)} />
          </div>
        </section>
      </div>
    </div>
  );
}
