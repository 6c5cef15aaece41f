/** The agent's chat: send a message (the reply may propose or decide trades) and read the history. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type ChatMessage = components["schemas"]["ChatMessageRead"];
export type ChatReply = components["schemas"]["ChatReply"];

const HISTORY_SIZE = 50;

/** The client's latest messages across conversations, newest first. */
export async function getChatHistory(clientId: string) {
  return unwrap(
    await api.GET("/clients/{client_id}/agent/chat", {
      params: { path: { client_id: clientId }, query: { limit: HISTORY_SIZE, offset: 0 } },
    }),
  );
}

export function chatHistoryQueryOptions(clientId: string) {
  return queryOptions({
    // "agent-chat": the stream's chat.message events refresh this key.
    queryKey: ["clients", clientId, "agent-chat"],
    queryFn: () => getChatHistory(clientId),
  });
}

export function useChatHistory(clientId: string) {
  return useQuery(chatHistoryQueryOptions(clientId));
}

export async function sendChat(clientId: string, message: string, conversationId: string | null): Promise<ChatReply> {
  return unwrap(
    await api.POST("/clients/{client_id}/agent/chat", {
      params: { path: { client_id: clientId } },
      body: { message, conversation_id: conversationId },
    }),
  );
}

export function useSendChat(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ message, conversationId }: { message: string; conversationId: string | null }) =>
      sendChat(clientId, message, conversationId),
    // A reply may propose, approve or change settings: refresh what it may have touched.
    onSettled: () =>
      Promise.all(
        ["agent-chat", "agent", "trades"].map((part) =>
          queryClient.invalidateQueries({ queryKey: ["clients", clientId, part] }),
        ),
      ),
  });
}
