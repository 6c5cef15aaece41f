import { QueryClientProvider } from "@tanstack/react-query";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { ClientUser } from "@/features/clients/api/get-client-detail";
import { ClientUsers } from "@/features/clients/components/ClientUsers";
import { json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const USER: ClientUser = {
  id: "0f6a1d1e-8a3b-4c55-9a59-2f4f7d1c9e10",
  email: "desk@acme.example",
  role: "client",
  is_active: true,
  last_login_at: null,
  created_at: "2026-11-24T10:00:00Z",
};

describe("ClientUsers", () => {
  beforeEach(() => {
    signIn({ role: "operator", clientId: null });
  });

  it("keeps the result of a deactivation on screen when the list reloads, then offers a fresh reactivation", async () => {
    const user = userEvent.setup();
    mockApi({
      [`POST /admin/users/${USER.id}/deactivate`]: () =>
        json({ user_id: USER.id, is_active: false, changed: true, revoked_sessions: 1 }),
    });
    const { rerender, queryClient } = renderWithQuery(<ClientUsers users={[USER]} />);
    await user.click(screen.getByRole("button", { name: "Deactivate" }));
    await user.type(screen.getByLabelText("Why deactivate desk@acme.example?"), "left the firm");
    await user.click(screen.getByRole("button", { name: "Deactivate…" }));
    await user.click(screen.getByRole("button", { name: "Yes, deactivate" }));
    expect(await screen.findByRole("status")).toHaveTextContent("desk@acme.example is deactivated.");

    // The client's detail reloads with the user inactive: the result stays until the operator moves on.
    const reloaded = { ...USER, is_active: false };
    rerender(
      <QueryClientProvider client={queryClient}>
        <ClientUsers users={[reloaded]} />
      </QueryClientProvider>,
    );
    expect(screen.getByRole("status")).toHaveTextContent("is deactivated.");
    await user.click(screen.getByRole("button", { name: "Reactivate" }));
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Why reactivate desk@acme.example?")).toHaveValue("");
    await user.click(screen.getByRole("button", { name: "Reactivate" }));
    expect(screen.queryByLabelText("Why reactivate desk@acme.example?")).not.toBeInTheDocument();
  });
});
