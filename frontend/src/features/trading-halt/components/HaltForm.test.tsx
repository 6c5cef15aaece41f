import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { HaltForm } from "@/features/trading-halt/components/HaltForm";
import { apiError, CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const POST = "POST /admin/trading-halt";

function result(overrides: Record<string, unknown> = {}) {
  return {
    id: "c1",
    scope: CLIENT_ID,
    client_id: CLIENT_ID,
    from_state: "ACTIVE",
    to_state: "HALTED",
    reason: "venue outage",
    allow_reduce_only: false,
    changed_by: "ops@example.com",
    changed_at: "2026-01-05T14:30:00Z",
    cancelled_orders: 2,
    ...overrides,
  };
}

describe("HaltForm", () => {
  beforeEach(() => {
    signIn({ role: "operator", clientId: null });
  });

  it("requires a reason, asks to confirm, then sends the change", async () => {
    const { calls, count } = mockApi({ [POST]: () => json(result()) });
    renderWithQuery(<HaltForm clients={[{ id: CLIENT_ID, name: "Acme" }]} />);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Scope"), "Acme");
    await user.click(screen.getByLabelText("Let orders that only reduce risk go out while halted"));
    await user.click(screen.getByRole("button", { name: "Review halt…" }));
    expect(screen.getByText(/Say why, in at least 3 characters/)).toBeInTheDocument();
    expect(screen.getByLabelText("Reason")).toHaveFocus();

    await user.type(screen.getByLabelText("Reason"), "venue outage");
    await user.click(screen.getByRole("button", { name: "Review halt…" }));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog).toHaveTextContent("Halt trading for Acme?");
    expect(dialog).toHaveTextContent("Reduce-only exits are blocked too.");
    expect(count(POST)).toBe(0);

    await user.click(within(dialog).getByRole("button", { name: "Yes, halt" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Acme trading: Active → Halted. 2 working orders cancelled.");
    expect(await calls[0]!.json()).toEqual({
      scope: "client",
      client_id: CLIENT_ID,
      state: "HALTED",
      reason: "venue outage",
      allow_reduce_only: false,
    });
  });

  it("goes back from the confirmation without sending anything", async () => {
    const { count } = mockApi({ [POST]: () => json(result()) });
    renderWithQuery(<HaltForm clients={[]} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "Resume" }));
    await user.type(screen.getByLabelText("Reason"), "all clear");
    await user.click(screen.getByRole("button", { name: "Review resume…" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("Resume trading for all clients?");
    await user.click(screen.getByRole("button", { name: "Back" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(count(POST)).toBe(0);
  });

  it("shows a refusal with its request id", async () => {
    mockApi({ [POST]: () => apiError(403, "forbidden", "Operators only") });
    renderWithQuery(<HaltForm clients={[]} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Reason"), "drill");
    await user.click(screen.getByRole("button", { name: "Review halt…" }));
    await user.click(screen.getByRole("button", { name: "Yes, halt" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Operators only");
    expect(alert).toHaveTextContent("req-forbidden");
  });
});
