import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { UserAccessAction } from "@/features/clients/components/UserAccessAction";
import { json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const USER_ID = "0f6a1d1e-8a3b-4c55-9a59-2f4f7d1c9e10";

describe("UserAccessAction", () => {
  beforeEach(() => {
    signIn({ role: "operator", clientId: null });
  });

  it("needs a reason, asks to confirm, then deactivates and says how many sessions ended", async () => {
    const user = userEvent.setup();
    const { calls } = mockApi({
      [`POST /admin/users/${USER_ID}/deactivate`]: () =>
        json({ user_id: USER_ID, is_active: false, changed: true, revoked_sessions: 2 }),
    });
    renderWithQuery(<UserAccessAction userId={USER_ID} email="desk@acme.example" isActive />);
    await user.click(screen.getByRole("button", { name: "Deactivate…" }));
    expect(screen.getByText(/in at least 3 characters: the reason is kept in the audit trail/)).toBeInTheDocument();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

    const reason = screen.getByLabelText("Why deactivate desk@acme.example?");
    await user.type(reason, " ab ");
    await user.click(screen.getByRole("button", { name: "Deactivate…" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    await user.clear(reason);
    await user.type(reason, "  left the firm ");
    await user.click(screen.getByRole("button", { name: "Deactivate…" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("Every sign-in of this user ends now");
    expect(calls).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, deactivate" }));

    expect(await screen.findByRole("status")).toHaveTextContent("desk@acme.example is deactivated. 2 sessions signed out.");
    expect(await calls[0]!.json()).toEqual({ reason: "left the firm" });
  });

  it("reactivates an inactive user and shows a refusal", async () => {
    const user = userEvent.setup();
    let first = true;
    mockApi({
      [`POST /admin/users/${USER_ID}/activate`]: () => {
        if (first) {
          first = false;
          return json({ error: { code: "user_not_found", message: "No such client user" } }, 404);
        }
        return json({ user_id: USER_ID, is_active: true, changed: true, revoked_sessions: 0 });
      },
    });
    renderWithQuery(<UserAccessAction userId={USER_ID} email="desk@acme.example" isActive={false} />);
    await user.type(screen.getByLabelText("Why reactivate desk@acme.example?"), "rehired");
    await user.click(screen.getByRole("button", { name: "Reactivate…" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("They sign in again with their current password.");
    await user.click(screen.getByRole("button", { name: "Yes, reactivate" }));
    expect(await screen.findByText("No such client user")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Yes, reactivate" }));
    expect(await screen.findByRole("status")).toHaveTextContent("desk@acme.example can sign in again.");
  });
});
