import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { CreateClientForm, generatePassword } from "@/features/clients/components/CreateClientForm";
import { apiError, json, mockApi, signIn } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

async function fill(values: { name?: string; email?: string; password?: string }) {
  const user = userEvent.setup();
  if (values.name) await user.type(screen.getByLabelText("Name"), values.name);
  if (values.email) await user.type(screen.getByLabelText("First user's email"), values.email);
  if (values.password) await user.type(screen.getByLabelText("Initial password"), values.password);
  await user.click(screen.getByRole("button", { name: "Create client" }));
}

const created = {
  client: { id: "c-1", name: "Acme Capital", status: "active", created_at: "2026-01-05T14:30:00Z" },
  user_id: "u-1",
};

describe("CreateClientForm", () => {
  beforeEach(() => {
    signIn({ role: "operator", clientId: null });
  });

  it("creates the client and clears the form", async () => {
    const onCreated = vi.fn();
    const { calls } = mockApi({ "POST /admin/clients": () => json(created, 201) });
    renderWithQuery(<CreateClientForm onCreated={onCreated} />);
    await fill({ name: "Acme Capital", email: "desk@acme.example", password: "a-long-password-1" });
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledWith(created, "desk@acme.example"));
    expect(await calls[0]!.json()).toEqual({ name: "Acme Capital", email: "desk@acme.example", password: "a-long-password-1" });
    expect(screen.getByLabelText("Name")).toHaveValue("");
  });

  it("checks the password length before sending", async () => {
    const { fetchMock } = mockApi({});
    renderWithQuery(<CreateClientForm />);
    await fill({ name: "Acme", email: "desk@acme.example", password: "short" });
    expect(screen.getByText("Use at least 12 characters.")).toBeInTheDocument();
    expect(screen.getByLabelText("Initial password")).toHaveFocus();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("puts a taken email on the email field", async () => {
    mockApi({ "POST /admin/clients": () => apiError(409, "email_taken", "A user with this email already exists") });
    renderWithQuery(<CreateClientForm />);
    await fill({ name: "Acme", email: "taken@acme.example", password: "a-long-password-1" });
    expect(await screen.findByText("A user with this email already exists")).toBeInTheDocument();
    expect(screen.getByLabelText("First user's email")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("First user's email")).toHaveFocus();
  });

  it("puts a server validation error on the field it names", async () => {
    mockApi({
      "POST /admin/clients": () =>
        apiError(422, "validation_error", "The request is not valid", [
          { loc: ["body", "email"], msg: "Value error, must be an email address", type: "value_error" },
        ]),
    });
    renderWithQuery(<CreateClientForm />);
    await fill({ name: "Acme", email: "odd@x.y", password: "a-long-password-1" });
    expect(await screen.findByText("must be an email address")).toBeInTheDocument();
    expect(screen.getByLabelText("First user's email")).toHaveAttribute("aria-invalid", "true");
  });

  it("shows other failures above the form with the request id", async () => {
    mockApi({ "POST /admin/clients": () => apiError(403, "forbidden", "Operators only") });
    renderWithQuery(<CreateClientForm />);
    await fill({ name: "Acme", email: "desk@acme.example", password: "a-long-password-1" });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not create the client: Operators only");
    expect(alert).toHaveTextContent("req-forbidden");
  });

  it("generates strong passwords", () => {
    const password = generatePassword();
    expect(password).toHaveLength(16);
    expect(generatePassword()).not.toBe(password);
  });
});
