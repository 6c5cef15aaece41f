import { useClients } from "@/features/clients/api/get-clients";
import { HaltForm } from "@/features/trading-halt/components/HaltForm";
import { HaltHistoryTable } from "@/features/trading-halt/components/HaltHistoryTable";
import { TradingStatesPanel } from "@/features/trading-halt/components/TradingStatesPanel";
import { useDocumentTitle } from "@/hooks/use-document-title";

/** Global and per-client halt, reduce and resume; the states now and their history. */
export function OperatorTradingRoute() {
  useDocumentTitle("Trading halts");
  // Names for the scope picker and the tables; 500 is the API's page maximum.
  const clients = useClients({ limit: 500, offset: 0 }).data?.items ?? [];
  const names = Object.fromEntries(clients.map((c) => [c.id, c.name]));
  return (
    <div className="page">
      <h1 className="page-title">Trading halts</h1>
      <div className="operator-grid">
        <TradingStatesPanel clientNames={names} />
        <section className="panel" aria-labelledby="halt-heading">
          <header className="panel-header">
            <h2 id="halt-heading">Halt, reduce or resume</h2>
          </header>
          <HaltForm clients={clients.map((c) => ({ id: c.id, name: c.name }))} />
        </section>
      </div>
      <HaltHistoryTable clientNames={names} />
    </div>
  );
}
