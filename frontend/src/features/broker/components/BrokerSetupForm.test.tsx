import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { BrokerSetupForm } from "@/features/broker/components/BrokerSetupForm";
import { apiError, CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { brokerStatus } from "@/test/factories";
import { renderWithQuery } from "@/test/render";

const TEST = `POST /clients/${CLIENT_ID}/broker/test`;
const PUT = `PUT /clients/${CLIENT_ID}/broker`;

describe("BrokerSetupForm", () => {
  beforeEach(() => {
    signIn();
  });

  it("tests the simulator without saving, then saves with the starting cash as text", async () => {
    const onSaved = vi.fn();
    const { calls, count } = mockApi({
      [TEST]: () => json({ ok: true, state: "connected", error: null, capabilities: null, account: brokerStatus().account }),
      [PUT]: () => json(brokerStatus()),
    });
    renderWithQuery(<BrokerSetupForm clientId={CLIENT_ID} kind="simulator" onSaved={onSaved} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Starting cash (USD)"), "250,000.50");
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Connection works. Account SIM-1, net liquidation 100,250.50 USD.");
    expect(count(PUT)).toBe(0);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(await calls.at(-1)!.json()).toEqual({ kind: "simulator", settings: { starting_cash: "250000.50" }, reset_account: false });
  });

  it("shows a failed test with the broker's error", async () => {
    mockApi({ [TEST]: () => json({ ok: false, state: "failed", error: "connect_timeout: no answer", capabilities: null, account: null }) });
    renderWithQuery(<BrokerSetupForm clientId={CLIENT_ID} kind="simulator" />);
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Connection failed (failed): connect_timeout: no answer");
  });

  it("checks IBKR's fields before sending and seals them all as credentials", async () => {
    const { calls } = mockApi({ [PUT]: () => json(brokerStatus({ kind: "ibkr", has_credentials: true })) });
    renderWithQuery(<BrokerSetupForm clientId={CLIENT_ID} kind="ibkr" />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Enter the IB account code, e.g. DU1234567.")).toBeInTheDocument();
    expect(screen.getByLabelText("Account code")).toHaveFocus();
    expect(calls).toHaveLength(0);
    await user.type(screen.getByLabelText("Account code"), "du1234567");
    await user.clear(screen.getByLabelText("API port"));
    await user.type(screen.getByLabelText("API port"), "7497");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Saved\./)).toBeInTheDocument();
    expect(await calls[0]!.json()).toEqual({
      kind: "ibkr",
      settings: {},
      reset_account: false,
      credentials: { host: "127.0.0.1", port: 7497, client_id: 1, account_code: "DU1234567", accept_delayed_data: false },
    });
  });

  it("puts the server's validation problems on their fields", async () => {
    mockApi({
      [PUT]: () =>
        apiError(422, "invalid_broker_settings", "The ibkr settings are not valid", [
          { loc: ["host"], msg: "Value error, not a host name or IP address: 'bad host'", type: "value_error" },
        ]),
    });
    renderWithQuery(<BrokerSetupForm clientId={CLIENT_ID} kind="ibkr" />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Account code"), "DU1234567");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("not a host name or IP address: 'bad host'")).toBeInTheDocument();
    expect(screen.getByLabelText("Gateway host")).toHaveAttribute("aria-invalid", "true");
  });

  it("starts Phillip's sign-in, sends the app secrets once and never shows them again", async () => {
    const redirect = vi.fn();
    const { calls } = mockApi({
      [`POST /clients/${CLIENT_ID}/broker/phillip/authorize`]: () =>
        json({ authorize_url: "https://poems.example/authorize?state=s1", state: "s1", expires_at: "2026-01-05T14:40:00Z" }),
    });
    renderWithQuery(<BrokerSetupForm clientId={CLIENT_ID} kind="phillip" redirect={redirect} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("App client id"), "app-1");
    await user.type(screen.getByLabelText("Client secret"), "s3cret");
    await user.type(screen.getByLabelText("API key"), "k3y");
    expect(screen.getByLabelText("Client secret")).toHaveAttribute("type", "password");
    await user.click(screen.getByRole("button", { name: "Authorise at Phillip" }));
    await vi.waitFor(() => expect(redirect).toHaveBeenCalledWith("https://poems.example/authorize?state=s1"));
    expect(await calls[0]!.json()).toEqual({
      settings: { client_id: "app-1", redirect_uri: `${window.location.origin}/onboarding/phillip/callback`, account_no: "" },
      credentials: { client_secret: "s3cret", api_key: "k3y" },
    });
    expect(screen.getByLabelText("Client secret")).toHaveValue("");
    expect(screen.getByLabelText("API key")).toHaveValue("");
  });
});
