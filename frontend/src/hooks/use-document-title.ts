import { useEffect } from "react";

/** Set the tab title to "<page> · Greekdesk". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Greekdesk`;
  }, [title]);
}
