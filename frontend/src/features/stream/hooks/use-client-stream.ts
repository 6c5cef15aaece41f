import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { refreshSession } from "@/lib/api-client";
import { setStreamLive } from "@/lib/live";

import { getEventsAfter, getStreamTicket, streamUrl } from "../api/stream-api";
import { StreamConnection, type StreamStatus } from "../lib/connection";
import { staleParts } from "../lib/invalidation";

// Events come in bursts (a fill, its order, its trade, the portfolio): refetch each read once per burst.
const BATCH_MS = 150;

function batchedInvalidator(queryClient: QueryClient, clientId: string) {
  const parts = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    add(more: readonly string[]) {
      more.forEach((part) => parts.add(part));
      if (timer || parts.size === 0) return;
      timer = setTimeout(() => {
        timer = null;
        const due = [...parts];
        parts.clear();
        for (const part of due) void queryClient.invalidateQueries({ queryKey: ["clients", clientId, part] });
      }, BATCH_MS);
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * Keep the client's event stream open while mounted and refresh the cached reads its events touch.
 * Returns the connection's status for an indicator.
 */
export function useClientStream(clientId: string | null | undefined): StreamStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>("stopped");

  useEffect(() => {
    if (!clientId) return undefined;
    const invalidate = batchedInvalidator(queryClient, clientId);
    const connection = new StreamConnection({
      ticket: () => getStreamTicket(clientId),
      open: (ticket) => new WebSocket(streamUrl(clientId, ticket)),
      replay: (after) => getEventsAfter(clientId, after),
      onEvent: (event) => invalidate.add(staleParts(event.type)),
      onResync: () => void queryClient.invalidateQueries({ queryKey: ["clients", clientId] }),
      onStatus: (next) => {
        setStreamLive(next === "live");
        setStatus(next);
      },
      // The account was switched off: the refresh the server now refuses ends this page's session,
      // rather than leaving it on screen until its next read fails.
      onDisabled: () => void refreshSession(),
    });
    connection.start();
    return () => {
      invalidate.cancel();
      connection.stop();
      setStreamLive(false);
    };
  }, [clientId, queryClient]);

  return status;
}
