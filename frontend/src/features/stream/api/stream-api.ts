/** The stream's HTTP side: a single-use ticket to open the socket, and the replay of missed events. */
import { api, baseUrl, unwrap } from "@/lib/api-client";

import type { EventPage } from "../lib/messages";

/** A fresh single-use ticket (valid for seconds) for `?ticket=` on the stream URL. */
export async function getStreamTicket(clientId: string): Promise<string> {
  const ticket = unwrap(
    await api.POST("/clients/{client_id}/stream-ticket", { params: { path: { client_id: clientId } } }),
  );
  return ticket.ticket;
}

/** Events after `after` from the server's replay buffer (`complete` false when it no longer reaches back). */
export async function getEventsAfter(clientId: string, after: number): Promise<EventPage> {
  return unwrap(
    await api.GET("/clients/{client_id}/events", {
      params: { path: { client_id: clientId }, query: { after } },
    }),
  );
}

/** ws(s)://host/clients/{id}/stream?ticket=... on the API's origin. */
export function streamUrl(clientId: string, ticket: string): string {
  const url = new URL(`${baseUrl()}/clients/${encodeURIComponent(clientId)}/stream`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  return url.toString();
}
