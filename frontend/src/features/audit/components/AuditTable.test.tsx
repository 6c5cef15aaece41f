import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { AuditTable } from "@/features/audit/components/AuditTable";
import { CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const record = {
  id: 7, chain: CLIENT_ID, seq: 3, client_id: CLIENT_ID, action: "trading.halted", actor_type: "user", actor_id: "ops",
  subject: "client:1", data: { reason: "drill" }, hash: "abcdef0123456789", prev_hash: "0", occurred_at: "2026-01-05T14:30:00Z",
};

describe("AuditTable", () => {
  beforeEach(() => {
    signIn({ role: "operator", clientId: null });
  });

  it("lists records with client names and says the chains verify", async () => {
    mockApi({ "GET /admin/audit": () => json({ items: [record], total: 1, limit: 50, offset: 0, verification: { ok: true, breaks: [] } }) });
    renderWithQuery(<AuditTable clientNames={{ [CLIENT_ID]: "Acme" }} />);
    expect(await screen.findByTestId("audit-verification")).toHaveTextContent("Verified");
    expect(screen.getByText("trading.halted")).toBeInTheDocument();
    expect(screen.getByText("Acme")).toBeInTheDocument();
  });

  it("names each chain that does not verify and where it breaks", async () => {
    const breaks = [{ chain: CLIENT_ID, record_id: 7, seq: 3, problem: "hash mismatch" }];
    mockApi({ "GET /admin/audit": () => json({ items: [record], total: 1, limit: 50, offset: 0, verification: { ok: false, breaks } }) });
    renderWithQuery(<AuditTable clientNames={{}} />);
    const alert = await screen.findByTestId("audit-verification");
    expect(alert).toHaveTextContent("Verification failed");
    expect(alert).toHaveTextContent(`Chain ${CLIENT_ID} breaks at record 7 (seq 3): hash mismatch`);
  });

  it("filters by action prefix", async () => {
    const { calls } = mockApi({ "GET /admin/audit": () => json({ items: [], total: 0, limit: 50, offset: 0, verification: { ok: true, breaks: [] } }) });
    renderWithQuery(<AuditTable clientNames={{}} />);
    await screen.findByText("No audit records yet.");
    await userEvent.type(screen.getByLabelText("Action starts with"), "broker.");
    await userEvent.click(screen.getByRole("button", { name: "Filter" }));
    expect(await screen.findByText("No records whose action starts with “broker.”.")).toBeInTheDocument();
    expect(new URL(calls.at(-1)!.url).searchParams.get("action")).toBe("broker.");
  });
});
