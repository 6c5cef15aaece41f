/**
 * The pages on the endpoints that exist: onboarding to the simulator, settings and reconnect, the
 * dashboard's ticket, and an operator's halt reaching the client's banner. Real backend, real Chromium.
 */
import { type Browser, expect, type Page, test } from "@playwright/test";

import { baseUrl, demoLogin, type Login } from "./env";

const SHOTS = "test-results/screenshots";

test.describe.configure({ mode: "serial" });

async function signIn(page: Page, login: Login) {
  await page.goto(`${baseUrl()}/login`);
  await page.getByLabel("Email").fill(login.username);
  await page.getByLabel("Password").fill(login.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

async function signedIn(browser: Browser, role: "client" | "operator") {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, demoLogin(role));
  return { context, page };
}

async function phoneShot(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true });
  await page.setViewportSize({ width: 1366, height: 800 });
}

test("a client onboards to the simulator: broker, test, risk profile, mode", async ({ page }) => {
  await signIn(page, demoLogin("client"));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: "Run the set-up again" }).click();
  await expect(page.getByRole("heading", { name: "Set up your account" })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "Choose a broker" })).toHaveAttribute("aria-current", "step");

  // Step 1: the three brokers, each with a sentence; keyboard picks the simulator.
  const brokers = page.getByRole("group", { name: "Broker" });
  await expect(brokers.getByText("Paper trading with simulated fills")).toBeVisible();
  await expect(brokers.getByText("IB Gateway or TWS")).toBeVisible();
  await brokers.getByRole("radio", { name: /Interactive Brokers/ }).focus();
  await page.keyboard.press("Home");
  await expect(brokers.getByRole("radio", { name: /Simulator/ })).toBeChecked();
  await page.screenshot({ path: `${SHOTS}/20-onboarding-broker.png`, fullPage: true });
  await page.getByRole("button", { name: "Continue" }).click();

  // Step 2: test the connection (nothing saved), then save.
  await expect(page).toHaveURL(/step=connect&kind=simulator/);
  await expect(page.getByRole("heading", { name: "Connect Simulator" })).toBeVisible();
  await page.getByLabel("Starting cash (USD)").fill("-5");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("Enter an amount above zero with at most two decimals.")).toBeVisible();
  await page.getByLabel("Starting cash (USD)").fill("");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connection works." })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/21-onboarding-test-ok.png`, fullPage: true });
  await page.getByRole("button", { name: "Save and continue" }).click();

  // Step 3: the risk profile sets the starting parameters.
  await expect(page).toHaveURL(/step=risk/);
  await expect(page.getByRole("heading", { name: "How much risk should the agent take?" })).toBeVisible();
  await expect(page.getByRole("radio", { name: /Moderate/ })).toBeChecked();
  await page.getByRole("radio", { name: /Conservative/ }).check();
  await page.screenshot({ path: `${SHOTS}/22-onboarding-risk.png`, fullPage: true });
  await page.getByRole("button", { name: "Save and continue" }).click();

  // Step 4: the mode, each explained.
  await expect(page).toHaveURL(/step=mode/);
  await expect(page.getByText("each one waits for your approve or reject")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/23-onboarding-mode.png`, fullPage: true });
  await page.getByRole("radio", { name: /Approval required/ }).check();
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page.getByRole("heading", { name: "You are set up" })).toBeVisible();
  await phoneShot(page, "24-onboarding-mode-phone.png");
});

test("settings show the broker connection and reconnect it", async ({ page }) => {
  await signIn(page, demoLogin("client"));
  await page.goto(`${baseUrl()}/settings`);
  await expect(page.getByRole("heading", { name: "Settings", exact: true })).toBeVisible();
  await expect(page.getByTestId("broker-state")).toHaveText("Connected");
  const facts = page.locator("#broker-status");
  await expect(facts.getByText("Simulator")).toBeVisible();
  await page.getByRole("button", { name: "Reconnect" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Reconnected: the broker is connected." })).toBeVisible();
  await expect(page.getByTestId("broker-state")).toHaveText("Connected");
  // IBKR's form asks for the gateway; an invalid account code is caught before sending.
  await page.getByLabel("Broker", { exact: true }).selectOption("ibkr");
  await page.getByLabel("Account code").fill("nope");
  await page.getByRole("button", { name: "Save broker settings" }).click();
  await expect(page.getByText("Enter the IB account code, e.g. DU1234567.")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/25-settings.png`, fullPage: true });
  await phoneShot(page, "26-settings-phone.png");
});

test("the dashboard sums the account and the ticket reaches the gate", async ({ page }) => {
  await signIn(page, demoLogin("client"));
  await expect(page).toHaveURL(/\/dashboard$/);
  const summary = page.getByRole("definition").first();
  await expect(summary).toHaveText(/^\d{1,3}(,\d{3})*\.\d{2}$/);
  const ticket = page.getByRole("form", { name: "Trade ticket" });
  await ticket.getByRole("button", { name: "Send to the gate" }).click();
  await expect(ticket.getByText("Enter a symbol, e.g. SPY.")).toBeVisible();
  await ticket.getByLabel("Underlying").fill("SPY");
  await ticket.getByLabel("Leg 1 type").selectOption("stock");
  await ticket.getByLabel("Order type").selectOption("market");
  await ticket.getByRole("button", { name: "Send to the gate" }).click();
  await expect(ticket.getByRole("status")).toContainText("Trade entered: filled");
  const positions = page.getByRole("table", { name: "Positions" });
  await expect(positions.getByRole("cell", { name: "SPY", exact: true })).toBeVisible();
  await expect(page.getByRole("table", { name: "Trades" }).getByText("filled")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/27-dashboard-ticket.png`, fullPage: true });

  // P&L over time: TradingView's lightweight-charts draws the recorded points and the live balances.
  const pnl = page.getByRole("region", { name: "P&L over time" });
  await expect(pnl.getByRole("img", { name: /^Net liquidation over time, \d+ points?$/ })).toBeVisible();
  await expect(pnl.locator("canvas").first()).toBeVisible();
  await pnl.getByRole("button", { name: "P&L", exact: true }).click();
  await expect(pnl.getByRole("img", { name: /^Total P&L over time/ })).toBeVisible();
  await pnl.screenshot({ path: `${SHOTS}/27c-dashboard-pnl-chart.png` });

  // Far more than the account can carry: the gate says no, with every reason.
  await ticket.getByLabel("Quantity").fill("10000");
  await ticket.getByRole("button", { name: "Send to the gate" }).click();
  const denied = ticket.getByRole("alert");
  await expect(denied).toContainText("Denied by the risk gate.");
  await expect(denied.getByRole("list", { name: "Why the risk gate denied it" }).getByRole("listitem").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/27b-dashboard-ticket-denied.png`, fullPage: true });

  // Closing proposes the opposite trade; it waits for approval like any other.
  await positions.getByRole("button", { name: "Close SPY" }).click();
  await positions.getByRole("button", { name: "Confirm close SPY" }).click();
  await expect(positions.getByRole("status")).toContainText("Close proposed");
  await phoneShot(page, "28-dashboard-phone.png");
});

test("an operator halts a client and the client's page shows the banner", async ({ browser }) => {
  const client = await signedIn(browser, "client");
  const operator = await signedIn(browser, "operator");
  await expect(client.page.getByRole("alert", { name: "Trading state" })).toHaveCount(0);

  const ops = operator.page;
  await ops.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trading" }).click();
  await expect(ops.getByRole("heading", { name: "Trading halts" })).toBeVisible();
  const form = ops.getByRole("form", { name: "Change trading state" });
  await form.getByLabel("Scope").selectOption({ label: "Demo client" });
  await form.getByRole("radio", { name: "Halt" }).check();
  await form.getByRole("button", { name: "Review halt…" }).click();
  await expect(form.getByText(/Say why/)).toBeVisible();
  await form.getByLabel("Reason").fill("e2e drill: venue outage");
  await form.getByRole("button", { name: "Review halt…" }).click();
  const dialog = form.getByRole("alertdialog");
  await expect(dialog).toContainText("Halt trading for Demo client?");
  await ops.screenshot({ path: `${SHOTS}/30-operator-halt-confirm.png`, fullPage: true });
  await dialog.getByRole("button", { name: "Yes, halt" }).click();
  await expect(form.getByRole("status")).toContainText("Active → Halted");
  await expect(ops.getByRole("table", { name: "Trading states" }).getByText("e2e drill: venue outage")).toBeVisible();
  await ops.screenshot({ path: `${SHOTS}/31-operator-halted.png`, fullPage: true });

  // The client's open page picks the halt up on its own (polling until the stream lands).
  const banner = client.page.getByRole("alert", { name: "Trading state" });
  await expect(banner).toContainText("Trading is halted", { timeout: 15_000 });
  await expect(banner).toContainText("e2e drill: venue outage");
  await client.page.screenshot({ path: `${SHOTS}/32-client-halted-banner.png`, fullPage: true });
  await phoneShot(client.page, "33-client-halted-banner-phone.png");

  await ops.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(ops.getByTestId("audit-verification")).toContainText("Verified");
  await ops.getByLabel("Action starts with").fill("trading.");
  await ops.getByRole("button", { name: "Filter" }).click();
  await expect(ops.getByRole("table", { name: "Audit records" }).getByText(/^trading\./).first()).toBeVisible();
  await ops.screenshot({ path: `${SHOTS}/34-operator-audit.png`, fullPage: true });

  await ops.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trading" }).click();
  await form.getByLabel("Scope").selectOption({ label: "Demo client" });
  await form.getByRole("radio", { name: "Resume" }).check();
  await form.getByLabel("Reason").fill("e2e drill over");
  await form.getByRole("button", { name: "Review resume…" }).click();
  await form.getByRole("alertdialog").getByRole("button", { name: "Yes, resume" }).click();
  await expect(form.getByRole("status")).toContainText("Halted → Active");
  await expect(ops.getByRole("table", { name: "Trading state history" }).getByText("e2e drill over")).toBeVisible();
  await phoneShot(ops, "35-operator-trading-phone.png");
  await expect(client.page.getByRole("alert", { name: "Trading state" })).toHaveCount(0, { timeout: 15_000 });

  await client.context.close();
  await operator.context.close();
});

test("an operator deactivates a client user: their open page signs out at once, and they sign in again once reactivated", async ({
  browser,
}) => {
  const login = demoLogin("client");
  const client = await signedIn(browser, "client");
  const operator = await signedIn(browser, "operator");
  const ops = operator.page;
  await expect(ops).toHaveURL(/\/operator$/);
  await ops.getByRole("table", { name: "Clients" }).getByRole("link", { name: "Demo client" }).click();
  const users = ops.getByRole("table", { name: "Users" });
  await expect(users.getByText(login.username)).toBeVisible();

  await users.getByRole("button", { name: "Deactivate" }).click();
  await ops.getByRole("button", { name: "Deactivate…" }).click();
  await expect(ops.getByText(/the reason is kept in the audit trail/)).toBeVisible();
  await ops.getByLabel(`Why deactivate ${login.username}?`).fill("e2e drill: left the desk");
  await ops.getByRole("button", { name: "Deactivate…" }).click();
  await expect(ops.getByRole("alertdialog")).toContainText("Every sign-in of this user ends now");
  await ops.getByRole("alertdialog").getByRole("button", { name: "Yes, deactivate" }).click();
  await expect(ops.getByRole("status")).toContainText(`${login.username} is deactivated.`);
  await expect(users.getByRole("button", { name: "Reactivate" })).toBeVisible();
  await ops.screenshot({ path: `${SHOTS}/36-operator-deactivated-user.png`, fullPage: true });

  // The client's open page: its stream is closed as disabled and the page's session ends with it.
  await expect(client.page.getByRole("button", { name: "Sign in" })).toBeVisible({ timeout: 10_000 });
  await expect(client.page.getByText("Your session has ended.")).toBeVisible();
  await client.page.getByLabel("Email").fill(login.username);
  await client.page.getByLabel("Password").fill(login.password);
  await client.page.getByRole("button", { name: "Sign in" }).click();
  await expect(client.page.getByRole("alert")).toBeVisible();
  await client.page.screenshot({ path: `${SHOTS}/37-client-deactivated-sign-in-refused.png`, fullPage: true });

  await users.getByRole("button", { name: "Reactivate" }).click();
  await ops.getByLabel(`Why reactivate ${login.username}?`).fill("e2e drill over");
  await ops.getByRole("button", { name: "Reactivate…" }).click();
  await ops.getByRole("alertdialog").getByRole("button", { name: "Yes, reactivate" }).click();
  await expect(ops.getByRole("status")).toContainText(`${login.username} can sign in again.`);
  await signIn(client.page, login);

  await client.context.close();
  await operator.context.close();
});
