import { useClientTradingState } from "@/features/trading-state/api/get-client-trading-state";

/** A banner while the client may not trade freely: halted, or reducing risk only. Nothing otherwise. */
export function TradingStateBanner({ clientId }: { clientId: string }) {
  const { data } = useClientTradingState(clientId);
  if (!data || data.effective === "ACTIVE") return null;
  // The stricter scope is the one that explains why.
  const source =
    data.global.state === data.effective ? { scope: "all clients", ...data.global } : { scope: "this account", ...data.client };
  const halted = data.effective === "HALTED";
  return (
    <div className={`banner ${halted ? "banner-bad" : "banner-warn"}`} role="alert" aria-label="Trading state">
      <strong>{halted ? "Trading is halted" : "Trading is reducing only"}</strong>
      <span>
        {halted
          ? data.reduce_only_allowed
            ? " — no new orders; orders that only reduce risk may still go out."
            : " — no new orders are sent."
          : " — only orders that lower risk are accepted."}
      </span>
      <span className="banner-meta">
        Set for {source.scope}
        {source.reason ? `: “${source.reason}”` : ""}
      </span>
    </div>
  );
}
