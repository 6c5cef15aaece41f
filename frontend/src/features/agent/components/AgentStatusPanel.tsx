import { type ReactNode, useState } from "react";

import { ChoiceCards } from "@/components/ChoiceCards";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Pnl } from "@/components/Num";
import { Panel } from "@/components/Panel";
import { type AgentMode, useSetAgentMode } from "@/features/agent/api/agent-setup";
import {
  type AgentStatus,
  type ScanResult,
  useAgentStatus,
  usePauseAgent,
  useResumeAgent,
  useScanNow,
} from "@/features/agent/api/agent-status";
import { formatMoney } from "@/lib/decimal";
import { formatDateTime } from "@/lib/format";

import { MODE_CHOICES } from "./agent-choices";

const STATE_TEXT: Record<AgentStatus["state"], { text: string; tone: string }> = {
  running: { text: "Running", tone: "good" },
  paused: { text: "Paused", tone: "warn" },
  halted: { text: "Halted", tone: "bad" },
  broker_disconnected: { text: "Broker disconnected", tone: "bad" },
  stopped: { text: "Stopped", tone: "muted" },
};

function modeTitle(mode: AgentMode): string {
  return MODE_CHOICES.find((c) => c.value === mode)?.title ?? mode;
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function scanSummary(result: ScanResult): string {
  const parts = [`${result.proposed.length} proposed`];
  if (result.approved.length) parts.push(`${result.approved.length} placed by the agent`);
  if (result.exits.length) parts.push(`${result.exits.length} exits`);
  return `Scan done: ${parts.join(", ")}.`;
}

/** What the agent is doing and why, with its mode, pause/resume and scan-now controls. */
export function AgentStatusPanel({ clientId }: { clientId: string }) {
  const query = useAgentStatus(clientId);
  const status = query.data;
  const setMode = useSetAgentMode(clientId);
  const pause = usePauseAgent(clientId);
  const resume = useResumeAgent(clientId);
  const scan = useScanNow(clientId);
  const [pauseReason, setPauseReason] = useState("");
  const state = status ? STATE_TEXT[status.state] : null;
  const failure = setMode.error ?? pause.error ?? resume.error ?? scan.error;

  return (
    <Panel
      id="agent-status"
      title="Agent"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
      actions={
        <button
          type="button"
          className="btn btn-small btn-primary"
          onClick={() => scan.mutate()}
          disabled={scan.isPending || !status}
        >
          {scan.isPending ? "Scanning…" : "Scan now"}
        </button>
      }
    >
      <div className="panel-body stack">
        {query.isPending ? (
          <p className="muted" role="status">
            Loading the agent…
          </p>
        ) : null}
        {query.error && !status ? (
          <ErrorNotice error={query.error} title="Could not load the agent" onRetry={() => void query.refetch()} />
        ) : null}
        {failure ? <ErrorNotice error={failure} title="That did not work" compact /> : null}
        {scan.data && !scan.isPending ? (
          <p className="notice notice-success" role="status">
            {scanSummary(scan.data)}
          </p>
        ) : null}
        {status && state ? (
          <>
            <dl className="facts">
              <Row term="State">
                <span className={`badge badge-${state.tone}`} data-testid="agent-state">
                  {state.text}
                </span>
                {status.state_reason ? <span className="muted"> · {status.state_reason}</span> : null}
              </Row>
              <Row term="Mode">{modeTitle(status.mode)}</Row>
              <Row term="In force">
                <strong data-testid="agent-effective-mode">{modeTitle(status.effective_mode)}</strong>
                {status.effective_reasons.length ? (
                  <ul className="reasons reasons-compact" aria-label="Why the mode in force differs">
                    {status.effective_reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                ) : null}
              </Row>
              <Row term="Last scan">{formatDateTime(status.last_scan_at)}</Row>
              <Row term="Next scan">{formatDateTime(status.next_scan_at)}</Row>
              <Row term="Open">
                {status.open_proposals} proposals · {status.open_positions} positions
              </Row>
              <Row term="P&L">
                {status.pnl ? (
                  <>
                    realised <Pnl value={status.pnl.realized} /> · unrealised <Pnl value={status.pnl.unrealized} /> ·
                    net liq <span className="num">{formatMoney(status.pnl.net_liquidation)}</span> {status.pnl.currency}
                  </>
                ) : (
                  <span className="muted">Not reported</span>
                )}
              </Row>
            </dl>
            <div className="button-row">
              {status.paused ? (
                <button type="button" className="btn" onClick={() => resume.mutate()} disabled={resume.isPending}>
                  {resume.isPending ? "Resuming…" : "Resume agent"}
                </button>
              ) : (
                <form
                  className="inline-field"
                  onSubmit={(event) => {
                    event.preventDefault();
                    pause.mutate(pauseReason.trim() || null, { onSuccess: () => setPauseReason("") });
                  }}
                >
                  <label className="field">
                    <span>Pause reason (optional)</span>
                    <input value={pauseReason} onChange={(e) => setPauseReason(e.target.value)} maxLength={500} />
                  </label>
                  <button type="submit" className="btn" disabled={pause.isPending}>
                    {pause.isPending ? "Pausing…" : "Pause agent"}
                  </button>
                </form>
              )}
            </div>
            <ChoiceCards
              legend="Mode"
              choices={MODE_CHOICES.map((c) => ({ ...c, disabled: setMode.isPending }))}
              value={status.mode}
              onChange={(mode) => {
                if (mode !== status.mode) setMode.mutate(mode);
              }}
            />
            {!status.autonomous_enabled ? (
              <p className="muted small">Autonomous trading is switched off on this server, so it acts as approval.</p>
            ) : null}
          </>
        ) : null}
      </div>
    </Panel>
  );
}
