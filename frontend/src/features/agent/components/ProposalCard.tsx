import { type ReactNode, useId, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import {
  type Proposal,
  useApproveProposal,
  useRejectProposal,
} from "@/features/agent/api/proposals";
import { useNow } from "@/hooks/use-now";
import { asApiError } from "@/lib/api-error";
import { formatPrice } from "@/lib/decimal";
import { describeInstrument } from "@/lib/instrument";

import { PayoffChart } from "./PayoffChart";
import {
  greekText,
  limitPriceText,
  lossText,
  moneyText,
  percentText,
  ratioText,
  timeLeftText,
} from "./proposal-format";

/** A 409 from approve or reject names the status the trade already has: say it in words. */
function decisionError(error: unknown): string | null {
  const problem = asApiError(error);
  if (problem.status !== 409) return null;
  const details = problem.details as { status?: unknown } | null;
  const status = typeof details?.status === "string" ? details.status.replace(/_/g, " ") : null;
  return status ? `Too late: this proposal is already ${status}.` : problem.message;
}

// The mutation's own error state shows the failure on the card.
function ignore() {}

function Figure({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="figure">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** One proposal with everything needed to decide on it, and the approve and reject buttons. */
export function ProposalCard({
  clientId,
  proposal,
  onDecided,
}: {
  clientId: string;
  proposal: Proposal;
  /** Told what happened once decided: the card leaves the queue, so the queue says it. */
  onDecided: (note: string) => void;
}) {
  const now = useNow();
  const headingId = useId();
  const approve = useApproveProposal(clientId);
  const reject = useRejectProposal(clientId);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const metrics = proposal.metrics;
  const greeks = metrics?.greeks;
  const timeLeft = timeLeftText(proposal.expires_at, now);
  const expired = timeLeft === "Expired";
  const busy = approve.isPending || reject.isPending;
  const failure = approve.error ?? reject.error;
  const title = `${proposal.underlying} ${proposal.strategy?.replace(/_/g, " ") ?? "trade"}`;

  return (
    <article className="proposal" aria-labelledby={headingId}>
      <header className="proposal-header">
        <h3 id={headingId}>
          {title} <span className="muted">× {proposal.quantity}</span>
        </h3>
        <span className={`badge badge-${expired ? "muted" : "warn"}`} title="Time left to decide">
          {timeLeft}
        </span>
      </header>
      <ul className="legs" aria-label="Legs">
        {proposal.legs.map((leg) => (
          <li key={leg.leg_index} className={leg.side === "sell" ? "down" : "up"}>
            {leg.side === "sell" ? "Sell" : "Buy"} {leg.ratio} {describeInstrument(leg)}
          </li>
        ))}
      </ul>
      <dl className="figures proposal-figures">
        <Figure term="Limit (per unit)">{limitPriceText(proposal.limit_price)}</Figure>
        <Figure term="Max profit">{moneyText(metrics?.max_profit)}</Figure>
        <Figure term="Max loss">{lossText(metrics?.max_loss)}</Figure>
        <Figure term="Breakevens">
          {metrics?.breakevens.length ? metrics.breakevens.map(formatPrice).join(" / ") : "—"}
        </Figure>
        <Figure term="Prob. of profit">{percentText(metrics?.probability_of_profit)}</Figure>
        <Figure term="Expected value">{moneyText(metrics?.expected_value)}</Figure>
        <Figure term="Return on risk">{ratioText(metrics?.return_on_risk)}</Figure>
        <Figure term="Capital at risk">{moneyText(metrics?.capital_at_risk)}</Figure>
        <Figure term="Delta $">{greekText(greeks?.delta)}</Figure>
        <Figure term="Gamma $">{greekText(greeks?.gamma)}</Figure>
        <Figure term="Vega $">{greekText(greeks?.vega)}</Figure>
        <Figure term="Theta $/day">{greekText(greeks?.theta)}</Figure>
      </dl>
      {proposal.rationale ? (
        <p className="proposal-rationale">
          <strong>Why: </strong>
          {proposal.rationale}
        </p>
      ) : null}
      <PayoffChart
        points={metrics?.payoff ?? []}
        breakevens={metrics?.breakevens ?? []}
        label={`Payoff at expiry of ${title}`}
      />
      {proposal.denial_reasons.length > 0 ? (
        <ul className="reasons reasons-compact" aria-label="Risk gate notes">
          {proposal.denial_reasons.map((r, i) => (
            <li key={i}>{typeof r.message === "string" ? r.message : JSON.stringify(r)}</li>
          ))}
        </ul>
      ) : null}
      {failure ? (
        decisionError(failure) ? (
          <p className="notice notice-error" role="alert">
            {decisionError(failure)}
          </p>
        ) : (
          <ErrorNotice error={failure} title="Could not decide" compact />
        )
      ) : null}
      {rejecting ? (
        <form
          className="inline-field"
          onSubmit={(event) => {
            event.preventDefault();
            // mutateAsync, not mutate's callbacks: those are dropped once the card has left the queue.
            reject
              .mutateAsync({ tradeId: proposal.id, reason: reason.trim() || null })
              .then(() => onDecided(`Rejected ${title}.`), ignore);
          }}
        >
          <label className="field">
            <span>Reason (optional)</span>
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </label>
          <button type="submit" className="btn btn-danger btn-small" disabled={busy}>
            {reject.isPending ? "Rejecting…" : "Confirm reject"}
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setRejecting(false)}>
            Keep
          </button>
        </form>
      ) : (
        <div className="button-row">
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || expired}
            onClick={() =>
              approve
                .mutateAsync(proposal.id)
                .then((trade) => onDecided(`Approved ${title}: ${trade.status.replace(/_/g, " ")}.`), ignore)
            }
            aria-label={`Approve ${title}`}
          >
            {approve.isPending ? "Approving…" : "Approve"}
          </button>
          <button
            type="button"
            className="btn"
            disabled={busy || expired}
            onClick={() => setRejecting(true)}
            aria-label={`Reject ${title}`}
          >
            Reject…
          </button>
        </div>
      )}
    </article>
  );
}
