import { useEffect, useRef } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { ErrorNotice } from "@/components/ErrorNotice";
import { useFinishPhillip } from "@/features/broker/api/phillip-oauth";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useSession } from "@/lib/use-session";

/** Where POEMS sends the browser back: hand state and code to the API once, then go on onboarding. */
export function PhillipCallbackRoute() {
  useDocumentTitle("Connecting Phillip");
  const clientId = useSession()?.clientId ?? "";
  const [params] = useSearchParams();
  const finish = useFinishPhillip(clientId);
  const navigate = useNavigate();
  const sent = useRef(false);
  const state = params.get("state");

  useEffect(() => {
    // The state is single use: StrictMode's second effect run must not spend it again.
    if (sent.current || !state || !clientId) return;
    sent.current = true;
    finish.mutate(
      { state, code: params.get("code"), error: params.get("error"), error_description: params.get("error_description") },
      { onSuccess: () => navigate("/onboarding?step=risk&kind=phillip", { replace: true }) },
    );
  }, [clientId, finish, navigate, params, state]);

  return (
    <div className="page page-medium">
      <h1 className="page-title">Connecting Phillip</h1>
      {!state ? (
        <ErrorNotice error={new Error("Phillip did not send the authorisation back (no state in the address).")} />
      ) : finish.error ? (
        <ErrorNotice error={finish.error} title="Phillip was not connected" />
      ) : (
        <p role="status">Finishing the authorisation with Phillip…</p>
      )}
      {finish.error || !state ? (
        <p>
          <Link to="/onboarding?step=connect&kind=phillip">Try again</Link>
        </p>
      ) : null}
    </div>
  );
}
