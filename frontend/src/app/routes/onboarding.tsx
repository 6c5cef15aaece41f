import { Link, useNavigate, useSearchParams } from "react-router";

import { ChoiceCards } from "@/components/ChoiceCards";
import { ErrorNotice } from "@/components/ErrorNotice";
import { useSetAgentMode, useSetRiskProfile } from "@/features/agent/api/agent-setup";
import { AgentChoiceStep } from "@/features/agent/components/AgentChoiceStep";
import { MODE_CHOICES, RISK_PROFILE_CHOICES } from "@/features/agent/components/agent-choices";
import { type BrokerKind, useBrokerStatus } from "@/features/broker/api/get-broker";
import { BrokerSetupForm } from "@/features/broker/components/BrokerSetupForm";
import { BROKER_KINDS, BROKER_LABELS, brokerChoices } from "@/features/broker/components/broker-kinds";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

const STEPS = [
  { key: "broker", title: "Choose a broker" },
  { key: "connect", title: "Connect" },
  { key: "risk", title: "Risk profile" },
  { key: "mode", title: "Mode" },
] as const;
type StepKey = (typeof STEPS)[number]["key"] | "done";

function isKind(value: string | null): value is BrokerKind {
  return BROKER_KINDS.includes(value as BrokerKind);
}

/** Four steps: broker, its credentials and a test, the risk profile, the mode. The step lives in the URL. */
export function OnboardingRoute() {
  useDocumentTitle("Set up");
  const clientId = useSession()?.clientId;
  const [params, setParams] = useSearchParams();
  const step = (params.get("step") ?? "broker") as StepKey;
  const chosen = params.get("kind");
  const kind: BrokerKind | null = isKind(chosen) ? chosen : null;
  const broker = useBrokerStatus(clientId);
  const setRisk = useSetRiskProfile(clientId ?? "");
  const setMode = useSetAgentMode(clientId ?? "");
  const navigate = useNavigate();

  if (!clientId) {
    return (
      <div className="notice notice-error" role="alert">
        This account is not linked to a client, so there is nothing to set up.
      </div>
    );
  }

  function go(next: StepKey, extra: Record<string, string> = {}) {
    setParams({ step: next, ...(kind ? { kind } : {}), ...extra });
  }

  const index = STEPS.findIndex((s) => s.key === step);
  const current = kind ?? (isKind(broker.data?.kind ?? null) ? (broker.data!.kind as BrokerKind) : "simulator");

  return (
    <div className="page page-medium">
      <h1 className="page-title">Set up your account</h1>
      <ol className="steps" aria-label="Onboarding steps">
        {STEPS.map((s, i) => (
          <li
            key={s.key}
            className={i === index ? "step-current" : i < index || step === "done" ? "step-done" : undefined}
            aria-current={i === index ? "step" : undefined}
          >
            <span className="step-number">{i + 1}</span> {s.title}
          </li>
        ))}
      </ol>

      <section className="panel">
        <div className="panel-body stack">
          {step === "broker" ? (
            <>
              <h2 className="step-title">Which broker should Greekdesk trade through?</h2>
              {broker.error ? <ErrorNotice error={broker.error} title="Could not load the broker" /> : null}
              <ChoiceCards
                legend="Broker"
                choices={brokerChoices(broker.data?.available_kinds)}
                value={current}
                onChange={(value) => setParams({ step: "broker", kind: value })}
              />
              <div className="button-row">
                <button type="button" className="btn btn-primary" onClick={() => setParams({ step: "connect", kind: current })}>
                  Continue
                </button>
              </div>
            </>
          ) : null}

          {step === "connect" ? (
            <>
              <h2 className="step-title">Connect {BROKER_LABELS[current]}</h2>
              <BrokerSetupForm
                key={current}
                clientId={clientId}
                kind={current}
                saveLabel="Save and continue"
                onSaved={() => go("risk", { kind: current })}
              />
              <div className="button-row">
                <button type="button" className="btn btn-ghost" onClick={() => go("broker", { kind: current })}>
                  ‹ Back
                </button>
              </div>
            </>
          ) : null}

          {step === "risk" ? (
            <>
              <h2 className="step-title">How much risk should the agent take?</h2>
              <p className="muted">This sets the starting risk limits; you can fine-tune each limit later.</p>
              <AgentChoiceStep
                legend="Risk profile"
                choices={RISK_PROFILE_CHOICES}
                initial="moderate"
                submitLabel="Save and continue"
                isPending={setRisk.isPending}
                error={setRisk.error}
                onSubmit={(profile) => setRisk.mutate(profile, { onSuccess: () => go("mode") })}
              />
            </>
          ) : null}

          {step === "mode" ? (
            <>
              <h2 className="step-title">How should the agent act on its ideas?</h2>
              <AgentChoiceStep
                legend="Mode"
                choices={MODE_CHOICES}
                initial="approval"
                submitLabel="Finish"
                isPending={setMode.isPending}
                error={setMode.error}
                onSubmit={(mode) => setMode.mutate(mode, { onSuccess: () => go("done") })}
              />
            </>
          ) : null}

          {step === "done" ? (
            <>
              <h2 className="step-title">You are set up</h2>
              <p>Your broker is connected and the agent has its starting settings.</p>
              <div className="button-row">
                <button type="button" className="btn btn-primary" onClick={() => navigate("/dashboard")}>
                  Go to the dashboard
                </button>
              </div>
            </>
          ) : null}
        </div>
      </section>
      {step !== "done" ? (
        <p className="muted small">
          <Link to="/settings">Broker settings</Link> · <Link to="/dashboard">Skip for now</Link>
        </p>
      ) : null}
    </div>
  );
}
