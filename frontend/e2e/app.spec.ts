import { expect, type Page, test } from "@playwright/test";

import { baseUrl, demoLogin, type Login } from "./env";

const SHOTS = "test-results/screenshots";

test.describe.configure({ mode: "serial" });

async function signIn(page: Page, login: Login) {
  await page.goto(`${baseUrl()}/login`);
  await page.getByLabel("Email").fill(login.username);
  await page.getByLabel("Password").fill(login.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
}

test("the login page is served at / and a wrong password is refused plainly", async ({ page }) => {
  await page.goto(baseUrl());
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/01-login.png` });

  await signIn(page, { username: demoLogin("client").username, password: "not-the-password" });
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page.getByLabel("Password")).toHaveValue("");
  await page.screenshot({ path: `${SHOTS}/02-login-wrong-password.png` });
});

test("a new client's dashboard: no positions, and only what the agent has proposed on its own", async ({ page }) => {
  await signIn(page, demoLogin("client"));
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("No positions yet.")).toBeVisible();
  // The agent's loop runs from the first start: its first scan may already have proposed trades,
  // which wait for a person (approval mode); nothing has been traded.
  const trades = page.getByRole("table", { name: "Trades" });
  await expect(trades).toBeVisible();
  await expect(trades.getByText(/filled|submitted/)).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/03-dashboard-empty.png`, fullPage: true });

  // A reload keeps the session, and the deep link is served by the SPA fallback.
  await page.reload();
  await expect(page.getByText("No positions yet.")).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/04-dashboard-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1366, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: `${SHOTS}/04b-dashboard-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await signOut(page);
});

test("an operator creates a client, sees it listed, and its user can sign in", async ({ page }) => {
  await signIn(page, demoLogin("operator"));
  await expect(page).toHaveURL(/\/operator$/);
  await expect(page.getByRole("heading", { name: "Operator console" })).toBeVisible();
  const clients = page.getByRole("table", { name: "Clients" });
  await expect(clients.getByText("Demo client")).toBeVisible();

  const email = `desk-${Date.now()}@acme.example`;
  const password = "e2e-password-long-enough";
  const form = page.getByRole("form", { name: "New client" });

  // Too short a password is stopped before it is sent.
  await form.getByLabel("Name").fill("Acme Capital");
  await form.getByLabel("First user's email").fill(email);
  await form.getByLabel("Initial password").fill("short");
  await form.getByRole("button", { name: "Create client" }).click();
  await expect(form.getByText("Use at least 12 characters.")).toBeVisible();

  await form.getByLabel("Initial password").fill(password);
  await form.getByRole("button", { name: "Create client" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Created Acme Capital" })).toBeVisible();
  await expect(clients.getByText("Acme Capital")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/05-operator-created-client.png`, fullPage: true });

  // The same email again is refused on the email field (409 email_taken).
  await form.getByLabel("Name").fill("Acme again");
  await form.getByLabel("First user's email").fill(email);
  await form.getByLabel("Initial password").fill(password);
  await form.getByRole("button", { name: "Create client" }).click();
  await expect(form.getByLabel("First user's email")).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: `${SHOTS}/06-operator-email-taken.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/07-operator-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1366, height: 800 });

  // The new (throwaway) client's detail: broker session, modes, limits usage; then reset its user's password.
  await clients.getByRole("link", { name: "Acme Capital" }).click();
  await expect(page).toHaveURL(/\/operator\/clients\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Acme Capital" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Limits usage" })).toBeVisible();
  await expect(page.getByRole("meter", { name: "Open positions" })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /^simulator$/ })).toBeVisible();
  const users = page.getByRole("table", { name: "Users" });
  await expect(users.getByText(email)).toBeVisible();
  await users.getByRole("button", { name: "Reset password" }).click();
  await page.getByRole("button", { name: "Reset password…" }).click();
  await expect(page.getByRole("alertdialog")).toContainText(`Reset the password of ${email}?`);
  await page.getByRole("button", { name: "Yes, reset the password" }).click();
  const shown = page.getByTestId("generated-password");
  await expect(shown).toHaveText(/^\S{12,}$/);
  const generated = (await shown.textContent()) ?? "";
  await page.screenshot({ path: `${SHOTS}/09-operator-client-detail.png`, fullPage: true });

  await signOut(page);
  // The initial password no longer works; the generated one does.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await signIn(page, { username: email, password: generated });
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("region", { name: "Limits" })).toBeVisible();
  await expect(page.getByRole("meter", { name: "Daily loss" })).toBeVisible();
  await expect(page.getByText("No positions yet.")).toBeVisible();
  // Opening the client's detail started its broker session, and with it the agent: its first scan may
  // already have proposed trades (waiting for approval), but nothing has been traded.
  const trades = page.getByRole("table", { name: "Trades" });
  await expect(trades).toBeVisible();
  await expect(trades.getByText(/filled|submitted/)).toHaveCount(0);
  await expect(page.getByText(email)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/08-new-client-dashboard.png`, fullPage: true });
});

test("API paths are never answered by the app", async ({ request }) => {
  const response = await request.get(`${baseUrl()}/auth/no-such-endpoint`, {
    headers: { Accept: "text/html" },
  });
  expect(response.status()).toBe(404);
  expect((await response.json()).error.code).toBe("not_found");
});

// No endpoint can create positions or trades yet, so this one answers those two reads with sample
// rows (in the browser, not the backend) to show how filled tables read. Everything else is real.
test("filled tables read like a trading screen (sample rows)", async ({ page }) => {
  const leg = (i: number, side: string, strike: string) => ({
    leg_index: i, side, ratio: 1, sec_type: "OPT", symbol: "SPY", instrument_key: `SPY-${strike}`,
    expiry: "2026-06-19", strike, option_right: "C", multiplier: 100,
  });
  const position = (id: string, quantity: string, average_cost: string, realized_pnl: string, strike: string | null) => ({
    id, instrument_key: id, sec_type: strike ? "OPT" : "STK", symbol: "SPY", underlying: "SPY",
    expiry: strike ? "2026-06-19" : null, strike, option_right: strike ? "C" : null, multiplier: strike ? 100 : 1,
    quantity, average_cost, realized_pnl, opened_at: "2026-01-05T14:30:00Z", updated_at: "2026-01-06T15:00:00Z",
  });
  const trade = (id: string, status: string, legs: unknown[], limit: string | null) => ({
    id, status, origin: "agent", strategy: "bull_call_spread", underlying: "SPY", quantity: 2,
    order_type: limit ? "limit" : "market", time_in_force: "day", limit_price: limit, rationale: null,
    denial_reasons: [], legs, expires_at: null, decided_by: null, decided_at: null,
    created_at: "2026-01-05T14:30:00Z", updated_at: "2026-01-05T14:30:00Z",
  });
  const positions = [
    position("p1", "2", "3.1500", "0", "450"),
    position("p2", "-2", "1.2250", "-87.10", "460"),
    position("p3", "100", "512.3300", "1520.456", null),
  ];
  const trades = [
    trade("t1", "pending_approval", [leg(0, "buy", "450"), leg(1, "sell", "460")], "1.90"),
    trade("t2", "filled", [leg(0, "buy", "445")], null),
    trade("t3", "denied", [leg(0, "sell", "470")], "0.85"),
  ];
  await page.route(/\/clients\/[^/]+\/positions/, (route) =>
    route.fulfill({ json: { items: positions, total: positions.length, limit: 50, offset: 0 } }),
  );
  await page.route(/\/clients\/[^/]+\/trades/, (route) =>
    route.fulfill({ json: { items: trades, total: trades.length, limit: 50, offset: 0 } }),
  );
  await signIn(page, demoLogin("client"));
  await expect(page.getByText("+1,520.46")).toBeVisible();
  await expect(page.getByText("-87.10")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/09-dashboard-sample-rows.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/10-dashboard-sample-rows-phone.png`, fullPage: true });
});
