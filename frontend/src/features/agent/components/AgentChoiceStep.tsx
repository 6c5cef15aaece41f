import { useState } from "react";

import { type Choice, ChoiceCards } from "@/components/ChoiceCards";
import { ErrorNotice } from "@/components/ErrorNotice";

interface AgentChoiceStepProps<V extends string> {
  legend: string;
  choices: Choice<V>[];
  initial: V;
  submitLabel: string;
  isPending: boolean;
  error: unknown;
  onSubmit: (value: V) => void;
}

/** One onboarding choice (risk profile or mode): the cards, and the button that sends it. */
export function AgentChoiceStep<V extends string>({
  legend,
  choices,
  initial,
  submitLabel,
  isPending,
  error,
  onSubmit,
}: AgentChoiceStepProps<V>) {
  const [value, setValue] = useState<V>(initial);
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (!isPending) onSubmit(value);
      }}
    >
      <ChoiceCards legend={legend} choices={choices} value={value} onChange={setValue} />
      {error ? <ErrorNotice error={error} title="Could not save that" /> : null}
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={isPending}>
          {isPending ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
