import { useCancelTrade } from "@/features/trades/api/change-trade";
import { asApiError } from "@/lib/api-error";

/** States a trade can still be withdrawn or cancelled from. */
export const CANCELLABLE = new Set(["proposed", "pending_approval", "approved", "submitted", "partially_filled"]);

export function CancelTradeButton({ clientId, tradeId }: { clientId: string; tradeId: string }) {
  const cancel = useCancelTrade(clientId);
  return (
    <span className="button-row tight">
      <button
        type="button"
        className="btn btn-small"
        disabled={cancel.isPending || cancel.isSuccess}
        onClick={() => cancel.mutate(tradeId)}
        aria-label={`Cancel trade ${tradeId}`}
      >
        {cancel.isPending ? "Cancelling…" : cancel.isSuccess ? "Cancel sent" : "Cancel"}
      </button>
      {cancel.error ? (
        <span className="down small" role="alert">
          {asApiError(cancel.error).message}
        </span>
      ) : null}
    </span>
  );
}
