import { AgentStatusPanel } from "@/features/agent/components/AgentStatusPanel";
import { ChatPanel } from "@/features/agent/components/ChatPanel";
import { OptionCalculatorForm } from "@/features/agent/components/OptionCalculatorForm";
import { ProposalQueue } from "@/features/agent/components/ProposalQueue";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

export function AgentRoute() {
  useDocumentTitle("Agent");
  const clientId = useSession()?.clientId;
  if (!clientId) {
    return (
      <div className="notice notice-error" role="alert">
        This account is not linked to a client, so there is no agent to show.
      </div>
    );
  }
  return (
    <div className="page">
      <h1 className="page-title">Agent console</h1>
      <div className="agent-grid">
        <div className="stack">
          <AgentStatusPanel clientId={clientId} />
          <ProposalQueue clientId={clientId} />
        </div>
        <div className="stack">
          <ChatPanel clientId={clientId} />
          <OptionCalculatorForm />
        </div>
      </div>
    </div>
  );
}
