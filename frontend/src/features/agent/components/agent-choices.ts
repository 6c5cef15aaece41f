import type { Choice } from "@/components/ChoiceCards";
import type { AgentMode, RiskProfile } from "@/features/agent/api/agent-setup";

export const RISK_PROFILE_CHOICES: Choice<RiskProfile>[] = [
  {
    value: "conservative",
    title: "Conservative",
    description: "Small positions, defined-risk spreads only, tight loss limits: fewer trades, smaller swings.",
  },
  {
    value: "moderate",
    title: "Moderate",
    description: "Medium position sizes and loss limits: a balance between steady results and opportunity.",
  },
  {
    value: "aggressive",
    title: "Aggressive",
    description: "Larger positions and wider limits: more trades and bigger swings, up and down.",
  },
];

export const MODE_CHOICES: Choice<AgentMode>[] = [
  {
    value: "manual",
    title: "Manual",
    description: "The agent only suggests trades; nothing is sent unless you place it yourself.",
  },
  {
    value: "approval",
    title: "Approval required",
    description: "The agent proposes trades and each one waits for your approve or reject; unanswered ones expire.",
  },
  {
    value: "autonomous",
    title: "Autonomous",
    description:
      "The agent places trades itself within your risk limits, only while trading is active and the server allows it.",
  },
];
