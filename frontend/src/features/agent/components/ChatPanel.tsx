import { type FormEvent, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { useChatHistory, useSendChat } from "@/features/agent/api/chat";
import { formatDateTime } from "@/lib/format";

const EXAMPLES = "Try “status”, “positions”, “propose a put spread on SPY”, “set max daily loss to 1500”.";

/** Talk to the agent: questions about the book, proposals, approvals and settings in plain words. */
export function ChatPanel({ clientId }: { clientId: string }) {
  const history = useChatHistory(clientId);
  const send = useSendChat(clientId);
  const [text, setText] = useState("");
  const [conversationId, setConversationId] = useState<string | null>(null);
  // Oldest at the top, like any chat; the API pages newest first.
  const messages = [...(history.data?.items ?? [])].reverse();
  const current = conversationId ?? messages.at(-1)?.conversation_id ?? null;
  const pending = send.data?.pending_confirmation;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const message = text.trim();
    if (!message || send.isPending) return;
    send.mutate(
      { message, conversationId: current },
      {
        onSuccess: (reply) => {
          setConversationId(reply.conversation_id);
          setText("");
        },
      },
    );
  }

  return (
    <Panel id="agent-chat" title="Chat" updatedAt={history.dataUpdatedAt} isFetching={history.isFetching}>
      <div className="panel-body stack">
        {history.error ? (
          <ErrorNotice error={history.error} title="Could not load the chat" onRetry={() => void history.refetch()} />
        ) : null}
        <ol className="chat-log" aria-label="Chat messages" aria-live="polite">
          {messages.length === 0 && history.isSuccess ? <li className="muted">{EXAMPLES}</li> : null}
          {messages.map((m) => (
            <li key={m.id} className={`chat-message chat-${m.role}`}>
              <span className="chat-meta muted small">
                {m.role === "agent" ? "Agent" : m.author} · {formatDateTime(m.created_at)}
              </span>
              <span className="chat-text">{m.text}</span>
            </li>
          ))}
        </ol>
        {pending ? (
          <p className="notice notice-info" role="status">
            The agent is waiting for your confirmation: answer “yes” to go ahead.
          </p>
        ) : null}
        {send.error ? <ErrorNotice error={send.error} title="Message not sent" compact /> : null}
        <form className="input-row" onSubmit={onSubmit} aria-label="Message the agent">
          <label htmlFor="chat-input" className="visually-hidden">
            Message
          </label>
          <input
            id="chat-input"
            value={text}
            maxLength={2000}
            placeholder="Ask the agent…"
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="btn btn-primary" disabled={send.isPending || !text.trim()}>
            {send.isPending ? "Sending…" : "Send"}
          </button>
        </form>
      </div>
    </Panel>
  );
}
