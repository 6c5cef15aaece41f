import type { Choice } from "@/components/ChoiceCards";
import type { BrokerKind } from "@/features/broker/api/get-broker";

export const BROKER_LABELS: Record<BrokerKind, string> = {
  simulator: "Simulator",
  ibkr: "Interactive Brokers",
  phillip: "Phillip Securities (POEMS)",
};

const DESCRIPTIONS: Record<BrokerKind, string> = {
  simulator: "Paper trading with simulated fills and prices: no real money, nothing to set up.",
  ibkr: "Trade your Interactive Brokers account through an IB Gateway or TWS you run and leave logged in.",
  phillip: "Trade your POEMS account: you sign in at Phillip and authorise Greekdesk to place orders.",
};

export const BROKER_KINDS: BrokerKind[] = ["simulator", "ibkr", "phillip"];

/** Human name of a broker kind as the API spells it. */
export function brokerLabel(kind: string | null | undefined): string {
  if (!kind) return "None";
  return BROKER_LABELS[kind as BrokerKind] ?? kind;
}

/** The three brokers as cards; those this build cannot connect to are shown but disabled. */
export function brokerChoices(available: readonly string[] | undefined): Choice<BrokerKind>[] {
  return BROKER_KINDS.map((kind) => {
    const offered = !available || available.includes(kind);
    return {
      value: kind,
      title: BROKER_LABELS[kind],
      description: DESCRIPTIONS[kind],
      disabled: !offered,
      note: offered ? undefined : "Not available on this server.",
    };
  });
}

const STATE_TEXT: Record<string, string> = {
  connected: "Connected",
  connecting: "Connecting",
  disconnected: "Disconnected",
  failed: "Failed",
  not_configured: "Not set up",
  unavailable: "Unavailable",
};

export function brokerStateText(state: string): string {
  return STATE_TEXT[state] ?? state.replace(/_/g, " ");
}

export function brokerStateTone(state: string): "good" | "warn" | "bad" {
  if (state === "connected") return "good";
  if (state === "connecting" || state === "not_configured") return "warn";
  return "bad";
}
