/**
 * The agent console, the risk editor and the live stream, against the real backend in real Chromium:
 * reset to a profile that trades, scan, approve a proposal and watch an open dashboard pick the
 * trade up from the stream without reloading; change a limit and meet both the editor's own range
 * check and the server's 422 on the field. Runs after pages.spec (the demo client is onboarded).
 */
import { expect, type Page, test } from "@playwright/test";

import { baseUrl, demoLogin } from "./env";

const SHOTS = "test-results/screenshots";

test.describe.configure({ mode: "serial" });

async function signIn(page: Page) {
  const login = demoLogin("client");
  await page.goto(`${baseUrl()}/login`);
  await page.getByLabel("Email").fill(login.username);
  await page.getByLabel("Password").fill(login.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

async function phoneShot(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true });
  await page.setViewportSize({ width: 1366, height: 800 });
}

test("the risk editor resets a profile, saves a limit, and shows range errors before and after sending", async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" }).click();
  await expect(page.getByRole("heading", { name: "Risk parameters", level: 1 })).toBeVisible();
  const version = page.getByTestId("parameters-version");
  await expect(version).toContainText("Version");

  // The moderate profile is the one whose defaults find trades on the simulator.
  await page.getByLabel("Reset to profile").selectOption("moderate");
  await page.getByRole("button", { name: "Reset…" }).click();
  await page.getByRole("alertdialog", { name: "Confirm reset" }).getByRole("button", { name: "Yes, reset" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Reset to moderate" })).toBeVisible();
  await expect(version).toContainText("moderate profile");
  const before = Number(/Version (\d+)/.exec((await version.textContent()) ?? "")?.[1]);

  const form = page.getByRole("form", { name: "Risk parameters" });
  const dailyLoss = form.getByLabel("Max daily loss");
  await expect(form.getByText("Allowed 0 – 10,000,000").first()).toBeVisible();

  // Out of range: caught in the browser, nothing sent.
  await dailyLoss.fill("20000000");
  await form.getByRole("button", { name: "Save 1 change" }).click();
  await expect(form.getByText("Must be 0 – 10,000,000.")).toBeVisible();
  await expect(dailyLoss).toHaveAttribute("aria-invalid", "true");
  await expect(version).toContainText(`Version ${before} `);

  // In range but with three decimals: the server's 422 lands on the field with its range.
  await dailyLoss.fill("1500.555");
  await form.getByRole("button", { name: "Save 1 change" }).click();
  await expect(form.getByText(/no more than 2 decimal places \(allowed 0 – 10,000,000\)/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/40-risk-422.png`, fullPage: true });

  // A valid change: saved as a new version, with what it means next to it.
  await dailyLoss.fill("1500");
  await expect(form.getByText("new trades stop at a loss of 1,500.00")).toBeVisible();
  await form.getByRole("button", { name: "Save 1 change" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved as version ${before + 1}.` })).toBeVisible();
  await expect(form.getByLabel("Max daily loss")).toHaveValue(/^1500(\.00)?$/);
  await expect(page.getByRole("table", { name: "Parameter versions" }).getByRole("cell", { name: String(before + 1), exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/41-risk-saved.png`, fullPage: true });

  // Cross the spread (edge 1): the agent's proposals then fill as soon as they are approved.
  await form.getByLabel("Edge", { exact: true }).fill("1");
  await form.getByRole("button", { name: "Save 1 change" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved as version ${before + 2}.` })).toBeVisible();
  await phoneShot(page, "42-risk-phone.png");
});

test("scan, approve, watch the fill and position arrive live; a halt shows the banner and refuses an approval", async ({ browser }) => {
  const context = await browser.newContext();
  const dashboard = await context.newPage();
  await signIn(dashboard);
  await expect(dashboard).toHaveURL(/\/dashboard$/);
  await expect(dashboard.getByTestId("stream-status")).toHaveText("Live");
  const trades = dashboard.getByRole("table", { name: "Trades" });

  const agentPage = await context.newPage();
  await agentPage.goto(`${baseUrl()}/agent`);
  await expect(agentPage.getByRole("heading", { name: "Agent console" })).toBeVisible();
  await expect(agentPage.getByTestId("agent-state")).toHaveText("Running");
  await expect(agentPage.getByTestId("agent-effective-mode")).toBeVisible();
  await agentPage.getByRole("button", { name: "Scan now" }).click();
  await expect(agentPage.getByRole("status").filter({ hasText: /Scan done: [1-9]\d* proposed/ })).toBeVisible({
    timeout: 30_000,
  });

  // An agent proposal (it carries a payoff curve), with every figure needed to decide.
  const card = agentPage.getByRole("article").filter({ has: agentPage.getByRole("img", { name: /Payoff at expiry/ }) }).first();
  await expect(card).toBeVisible();
  await expect(card.getByText(/^(Credit|Debit) \d/)).toBeVisible();
  for (const term of ["Max profit", "Max loss", "Breakevens", "Prob. of profit", "Expected value", "Delta $", "Theta $/day"]) {
    await expect(card.getByText(term, { exact: true })).toBeVisible();
  }
  await expect(card.getByText(/min \d+ s left|\d+ s left/)).toBeVisible();
  await expect(card.getByText("Why:")).toBeVisible();
  const heading = (await card.getByRole("heading").textContent()) ?? "";
  const underlying = heading.trim().split(" ")[0]!;
  await agentPage.screenshot({ path: `${SHOTS}/43-agent-console.png`, fullPage: true });

  // The dashboard, open all along and never reloaded, shows the agent's pending trades.
  const row = trades.getByRole("row").filter({ hasText: underlying }).filter({ hasText: "iron_condor" });
  await expect(row.first()).toBeVisible({ timeout: 15_000 });

  const decided = agentPage.getByTestId("decision-note");
  const client = (await (await context.request.post(`${baseUrl()}/auth/login`, { data: demoLogin("client") })).json()) as {
    access_token: string;
    client_id: string;
  };
  const asClient = { Authorization: `Bearer ${client.access_token}` };
  let approved = underlying;
  for (let attempt = 1; ; attempt++) {
    const proposal = agentPage.getByRole("article").filter({ has: agentPage.getByRole("img", { name: /Payoff at expiry/ }) }).first();
    approved = ((await proposal.getByRole("heading").textContent()) ?? "").trim().split(" ")[0]!;
    await proposal.getByRole("button", { name: /^Approve / }).click();
    await expect(decided).toContainText(/Approved .*: (filled|submitted|partially filled)\./);
    if ((await decided.textContent())?.includes(": filled.")) break;
    // A price step landed between the proposal and the approval, so the order rests in the book:
    // withdraw it and approve the next proposal (a fresh scan when none is left).
    expect(attempt, "an approved proposal priced at the market fills").toBeLessThan(4);
    const resting = await context.request.get(`${baseUrl()}/clients/${client.client_id}/trades?status=submitted`, {
      headers: asClient,
    });
    for (const trade of ((await resting.json()) as { items: { id: string }[] }).items) {
      await context.request.post(`${baseUrl()}/clients/${client.client_id}/trades/${trade.id}/cancel`, { headers: asClient });
    }
    if ((await agentPage.getByRole("img", { name: /Payoff at expiry/ }).count()) < 2) {
      await agentPage.getByRole("button", { name: "Scan now" }).click();
      await expect(agentPage.getByRole("status").filter({ hasText: /Scan done/ })).toBeVisible({ timeout: 30_000 });
    }
  }

  // The stream's events refresh the dashboard (it does not poll): the trade filled, its legs held.
  await expect(
    trades.getByRole("row").filter({ hasText: approved }).filter({ hasText: /filled/ }).first(),
  ).toBeVisible({ timeout: 15_000 });
  const positions = dashboard.getByRole("table", { name: "Positions" });
  await expect(positions.getByRole("row").filter({ hasText: approved }).first()).toBeVisible({ timeout: 15_000 });
  await dashboard.screenshot({ path: `${SHOTS}/44-dashboard-live-trade.png`, fullPage: true });

  // Rejecting the next one asks for an optional reason; a decided proposal leaves the queue.
  const next = agentPage.getByRole("article").filter({ has: agentPage.getByRole("img", { name: /Payoff at expiry/ }) }).first();
  await next.getByRole("button", { name: /^Reject / }).click();
  await next.getByLabel("Reason (optional)").fill("e2e: not today");
  await next.getByRole("button", { name: "Confirm reject" }).click();
  await expect(decided).toContainText("Rejected");

  // An operator halts the client: the banner appears and approving the last proposal is refused.
  const login = demoLogin("operator");
  const token = (
    await (await context.request.post(`${baseUrl()}/auth/login`, { data: login })).json()
  ).access_token as string;
  const clientId = client.client_id;
  const halt = { scope: "client", client_id: clientId, state: "HALTED", reason: "e2e: risk review", allow_reduce_only: false };
  const halted = await context.request.post(`${baseUrl()}/admin/trading-halt`, {
    data: halt,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(halted.ok()).toBeTruthy();
  await expect(agentPage.getByRole("alert", { name: "Trading state" })).toContainText("Trading is halted", {
    timeout: 15_000,
  });
  const last = agentPage.getByRole("article").filter({ has: agentPage.getByRole("img", { name: /Payoff at expiry/ }) }).first();
  await last.getByRole("button", { name: /^Approve / }).click();
  await expect(decided).toContainText(/: denied\./);
  await agentPage.screenshot({ path: `${SHOTS}/47-halted-approval-refused.png`, fullPage: true });
  const resumed = await context.request.post(`${baseUrl()}/admin/trading-halt`, {
    data: { ...halt, state: "ACTIVE", reason: "e2e: review done" },
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(resumed.ok()).toBeTruthy();

  // The calculator: a price from a volatility.
  const calc = agentPage.getByRole("form", { name: "Option calculator" });
  await calc.getByLabel("Underlying price").fill("100");
  await calc.getByLabel("Strike").fill("100");
  await calc.getByRole("button", { name: "Calculate" }).click();
  await expect(calc.getByRole("status", { name: "Calculator result" })).toContainText("Delta");
  await agentPage.screenshot({ path: `${SHOTS}/45-agent-console-after.png`, fullPage: true });
  await phoneShot(agentPage, "46-agent-console-phone.png");
  await context.close();
});
