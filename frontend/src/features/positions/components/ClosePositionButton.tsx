import { useEffect, useRef, useState } from "react";

import { useClosePosition } from "@/features/positions/api/close-position";
import { asApiError } from "@/lib/api-error";

/** "Close", then "Confirm close" (a second, deliberate click), then what happened. */
export function ClosePositionButton({ clientId, positionId, label }: { clientId: string; positionId: string; label: string }) {
  const close = useClosePosition(clientId);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  if (close.isSuccess) {
    return (
      <span className="small" role="status">
        Close proposed ({close.data.status.replace(/_/g, " ")})
      </span>
    );
  }
  if (confirming) {
    return (
      <span className="button-row tight">
        <button
          ref={confirmRef}
          type="button"
          className="btn btn-small btn-danger"
          disabled={close.isPending}
          onClick={() => close.mutate(positionId)}
          aria-label={`Confirm close ${label}`}
        >
          {close.isPending ? "Closing…" : "Confirm close"}
        </button>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => {
            setConfirming(false);
            close.reset();
          }}
        >
          Keep
        </button>
        {close.error ? (
          <span className="down small" role="alert">
            {asApiError(close.error).message}
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <button type="button" className="btn btn-small" onClick={() => setConfirming(true)} aria-label={`Close ${label}`}>
      Close
    </button>
  );
}
