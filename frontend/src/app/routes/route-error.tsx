import { isRouteErrorResponse, useRouteError } from "react-router";

import { ErrorNotice } from "@/components/ErrorNotice";

/** Shown when rendering a page throws: the error, and a way back. */
export function RouteError() {
  const error = useRouteError();
  const shown = isRouteErrorResponse(error) ? new Error(`${error.status} ${error.statusText}`) : error;
  return (
    <main className="page page-narrow">
      <h1 className="page-title">Something went wrong</h1>
      <ErrorNotice error={shown} onRetry={() => window.location.reload()} />
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </main>
  );
}
