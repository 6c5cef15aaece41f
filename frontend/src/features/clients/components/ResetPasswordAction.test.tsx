import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { ResetPasswordAction } from "@/features/clients/components/ResetPasswordAction";
import { json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

const USER_ID = "0f6a1d1e-8a3b-4c55-9a59-2f4f7d1c9e10";
const route = `POST /admin/users/${USER_ID}/reset-password`;

describe("ResetPasswordAction", () => {
  beforeEach(() => {
    signIn({ role: "operator", clientId: null });
  });

  it("asks to confirm, then shows the generated password once", async () => {
    const user = userEvent.setup();
    const { calls } = mockApi({
      [route]: () => json({ user_id: USER_ID, generated_password: "s3cret-generated-pass", revoked_sessions: 2 }),
    });
    renderWithQuery(<ResetPasswordAction userId={USER_ID} email="desk@acme.example" />);
    await user.click(screen.getByRole("button", { name: "Reset password…" }));
    expect(calls).toHaveLength(0);
    expect(screen.getByRole("alertdialog")).toHaveTextContent("A new password is generated");
    await user.click(screen.getByRole("button", { name: "Yes, reset the password" }));

    expect(await screen.findByTestId("generated-password")).toHaveTextContent("s3cret-generated-pass");
    expect(screen.getByText(/2 sessions signed out/)).toBeInTheDocument();
    expect(await calls[0]!.json()).toEqual({ password: null });
    await user.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("generated-password")).not.toBeInTheDocument();
  });

  it("sends a chosen password and refuses a short one before sending", async () => {
    const user = userEvent.setup();
    const { calls } = mockApi({ [route]: () => json({ user_id: USER_ID, generated_password: null, revoked_sessions: 0 }) });
    renderWithQuery(<ResetPasswordAction userId={USER_ID} email="desk@acme.example" />);
    const input = screen.getByLabelText("New password for desk@acme.example");
    await user.type(input, "short");
    await user.click(screen.getByRole("button", { name: "Reset password…" }));
    expect(screen.getByText(/Use at least 12 characters/)).toBeInTheDocument();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

    await user.type(input, "-but-now-long-enough");
    await user.click(screen.getByRole("button", { name: "Reset password…" }));
    await user.click(screen.getByRole("button", { name: "Yes, reset the password" }));
    expect(await screen.findByText(/0 sessions signed out/)).toBeInTheDocument();
    expect(screen.queryByTestId("generated-password")).not.toBeInTheDocument();
    expect(await calls[0]!.json()).toEqual({ password: "short-but-now-long-enough" });
  });
});
