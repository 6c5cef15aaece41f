import { Link } from "react-router";

import { useDocumentTitle } from "@/hooks/use-document-title";

export function NotFoundRoute() {
  useDocumentTitle("Not found");
  return (
    <div className="page">
      <h1 className="page-title">Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to your start page</Link>.
      </p>
    </div>
  );
}
