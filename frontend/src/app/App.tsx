import { QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { RouterProvider } from "react-router";

import { createAppRouter } from "@/app/router";
import { makeQueryClient } from "@/lib/query-client";
import { getSession, subscribe } from "@/lib/session";

export function App() {
  const [queryClient] = useState(makeQueryClient);
  const [router] = useState(createAppRouter);
  useEffect(() => {
    // When the session ends (sign out, expiry, another tab), drop every cached answer with it.
    return subscribe(() => {
      if (!getSession()) queryClient.clear();
    });
  }, [queryClient]);
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
