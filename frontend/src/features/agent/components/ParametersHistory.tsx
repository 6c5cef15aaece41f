import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { useParametersHistory } from "@/features/agent/api/parameters";
import { formatDateTime } from "@/lib/format";

/** "user:7b0c3a52-…" → "User 7b0c3a52"; anything else (the agent, the system) as sent. */
function changedBy(actor: string): string {
  const [kind, id] = actor.split(":", 2);
  return kind === "user" && id ? `User ${id.slice(0, 8)}` : actor;
}

/** Every saved version of the parameters: when, by whom, on which profile. */
export function ParametersHistory({ clientId }: { clientId: string }) {
  const query = useParametersHistory(clientId);
  const versions = query.data ?? [];
  return (
    <Panel id="parameters-history" title="History" count={query.data?.length} isFetching={query.isFetching}>
      <div className="panel-body">
        {query.isPending ? <p className="muted">Loading history…</p> : null}
        {query.error ? <ErrorNotice error={query.error} title="Could not load history" /> : null}
        {query.isSuccess && versions.length === 0 ? <p className="muted">No saved versions yet.</p> : null}
        {versions.length ? (
          <div className="table-wrap">
            <table className="data-table" aria-label="Parameter versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Saved</th>
                  <th scope="col">By</th>
                  <th scope="col">Profile</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.version}>
                    <td className="num">{v.version}</td>
                    <td>{formatDateTime(v.created_at)}</td>
                    <td title={v.changed_by}>{changedBy(v.changed_by)}</td>
                    <td>{v.risk_profile}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </Panel>
  );
}
