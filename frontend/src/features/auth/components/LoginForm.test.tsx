import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { LoginForm } from "@/features/auth/components/LoginForm";
import { getSession } from "@/lib/session";
import { apiError, json, mockApi, tokens } from "@/test/fetch-mock";
import { renderWithQuery } from "@/test/render";

async function fillAndSubmit(username = "trader@example.com", password = "wrong-password") {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), username);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  return user;
}

describe("LoginForm", () => {
  it("signs in, stores the session and reports success", async () => {
    const onSuccess = vi.fn();
    const { calls } = mockApi({ "POST /auth/login": () => json(tokens(1)) });
    renderWithQuery(<LoginForm onSuccess={onSuccess} />);
    await fillAndSubmit("trader@example.com", "correct horse");
    await vi.waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1));
    expect(await calls[0]!.json()).toEqual({ username: "trader@example.com", password: "correct horse" });
    expect(getSession()).toMatchObject({ role: "client", accessToken: "access-1", username: "trader@example.com" });
  });

  it("says plainly that the username or password is wrong and clears the password", async () => {
    mockApi({ "POST /auth/login": () => apiError(401, "invalid_credentials", "Invalid username or password") });
    renderWithQuery(<LoginForm onSuccess={vi.fn()} />);
    await fillAndSubmit();
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password.");
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(getSession()).toBeNull();
  });

  it("when throttled, shows the wait, counts it down and blocks the button until it ends", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      mockApi({
        "POST /auth/login": () =>
          apiError(429, "login_throttled", "Too many failed logins", { retry_after_seconds: 3 }, { "Retry-After": "3" }),
      });
      renderWithQuery(<LoginForm onSuccess={vi.fn()} />);
      await fillAndSubmit();
      expect(await screen.findByRole("alert")).toHaveTextContent("Too many failed sign-ins. Try again in 3 s.");
      expect(screen.getByRole("button", { name: /Wait 3 s/ })).toBeDisabled();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(1_100);
      });
      expect(screen.getByRole("alert")).toHaveTextContent("Try again in 2 s.");
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3_000);
      });
      expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
      expect(screen.getByRole("alert")).toHaveTextContent("You can try signing in again now.");
    } finally {
      vi.useRealTimers();
    }
  });

  it("falls back to the Retry-After header when the body has no wait", async () => {
    mockApi({
      "POST /auth/login": () => apiError(429, "login_throttled", "Too many", null, { "Retry-After": "300" }),
    });
    renderWithQuery(<LoginForm onSuccess={vi.fn()} />);
    await fillAndSubmit();
    expect(await screen.findByRole("alert")).toHaveTextContent("Try again in 5 min.");
  });

  it("shows a validation problem on its field", async () => {
    mockApi({
      "POST /auth/login": () =>
        apiError(422, "validation_error", "The request is not valid", [
          { loc: ["username"], msg: "String should have at least 3 characters", type: "string_too_short" },
        ]),
    });
    renderWithQuery(<LoginForm onSuccess={vi.fn()} />);
    await fillAndSubmit("ab", "x");
    expect(await screen.findByText("String should have at least 3 characters")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
  });

  it("shows other errors with their request id", async () => {
    mockApi({ "POST /auth/login": () => apiError(500, "internal_error", "An internal error occurred") });
    renderWithQuery(<LoginForm onSuccess={vi.fn()} />);
    await fillAndSubmit();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("An internal error occurred");
    expect(alert).toHaveTextContent("req-internal_error");
  });

  it("explains an unreachable server", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    renderWithQuery(<LoginForm onSuccess={vi.fn()} />);
    await fillAndSubmit();
    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot reach the server");
  });
});
