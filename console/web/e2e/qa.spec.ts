import { test, expect, type Page } from "@playwright/test";
import { loginAs, widget, widgetSay } from "./helpers";

// The appliance's report days are in Asia/Shanghai (jobs.timezone).
function shanghaiDay(at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(at);
}

async function csrf(page: Page): Promise<string> {
  const me = await page.request.get("/api/v1/auth/me");
  return (await me.json()).csrf_token;
}

// An agent deflects a customer with a forbidden phrase: the supervisor is
// alerted at once; an admin runs the nightly audit by hand; a compliance
// officer opens the audit report, finds the conversation flagged and drills
// into it down to the exact message; an agent can do none of that.
test("QA: real-time alert, audit run, compliance drill-down, agents kept out", async ({ browser }) => {
  const supervisor = await loginAs(browser, "supervisor");
  await supervisor.getByTestId("nav-qa").click();
  await expect(supervisor).toHaveURL(/\/qa\/alerts/);
  await expect(supervisor.getByTestId("qa-alerts")).toBeVisible();

  const customer = await (await browser.newContext()).newPage();
  await customer.goto("/widget/demo");
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, "转人工");
  await expect(widget(customer).rows("system").filter({ hasText: "转接人工" })).toBeVisible();

  const agent = await loginAs(browser, "agent1");
  await agent.locator('[data-status="queued"]').first().click();
  await agent.getByTestId("take").click();
  await expect(agent.getByTestId("conv-status")).toHaveText("人工接待");
  const convID = Number(/\/conversations\/(\d+)/.exec(agent.url())?.[1]);
  expect(convID).toBeGreaterThan(0);
  // The audit covers the conversations created on a day: this one's, which
  // is no longer today if a midnight passes while the test runs.
  const conv = await (await agent.request.get(`/api/v1/conversations/${convID}`)).json();
  const day = shanghaiDay(new Date(conv.conversation.created_at));
  await agent.getByTestId("composer").fill("这是公司规定，我也没办法");
  await agent.getByTestId("send").click();
  await expect(widget(customer).rows("agent").filter({ hasText: "公司规定" })).toBeVisible();

  // The supervisor's alert list updates in real time.
  await expect(supervisor.getByTestId("qa-alerts")).toContainText("推诿用语");
  await expect(supervisor.getByTestId("qa-alerts")).toContainText("#" + convID);
  await supervisor.screenshot({ path: "test-results/qa-alerts.png" });

  // The agent sees no QA pages and the API refuses them.
  await expect(agent.getByTestId("nav-qa")).toHaveCount(0);
  await agent.goto("/qa/reports");
  await expect(agent).not.toHaveURL(/\/qa\/reports/);
  expect((await agent.request.get("/api/v1/qa/reports")).status()).toBe(403);

  // An admin runs the audit of the day (the nightly job covers yesterday).
  const admin = await loginAs(browser, "admin");
  await admin.getByTestId("nav-jobs").click();
  await expect(admin.getByTestId("jobs")).toContainText("qa-audit");
  const run = await admin.request.post("/api/v1/jobs/qa-audit/run", {
    data: { date: day },
    headers: { "X-CSRF-Token": await csrf(admin) },
  });
  expect(run.status()).toBe(202);
  const runID = (await run.json()).run.id;
  await expect(admin.getByTestId("job-run-status-" + runID)).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(admin.getByTestId("job-runs").getByTestId("job-count-flagged").first()).toContainText(/有命中 \d+/);
  await expect(admin.getByTestId("jobs")).toContainText("integrity");
  await admin.screenshot({ path: "test-results/qa-jobs.png" });

  // The compliance officer opens the report and drills into the flagged conversation.
  const compliance = await loginAs(browser, "compliance");
  await compliance.getByTestId("nav-qa").click();
  await expect(compliance.getByTestId("qa-tab-alerts")).toHaveCount(0);
  await expect(compliance.getByTestId("qa-report-title")).toContainText(day);
  await expect(compliance.getByTestId("qa-flagged")).not.toHaveText("0");
  await compliance.getByTestId("qa-verify").click();
  await expect(compliance.getByTestId("qa-verify-result")).toContainText("校验通过");
  const row = compliance.getByTestId("qa-item-" + convID);
  await expect(row).toBeVisible();
  await compliance.screenshot({ path: "test-results/qa-report.png", fullPage: true });
  await row.click();
  const drill = compliance.getByTestId("qa-drill");
  await expect(drill.getByTestId("qa-drill-hits")).toContainText("推诿用语");
  await expect(drill.getByTestId("qa-hit-message")).toContainText("这是公司规定，我也没办法");
  await expect(drill.getByTestId("qa-transcript")).toContainText("转人工");
  await compliance.screenshot({ path: "test-results/qa-drill.png" });

  // The printable page and the exports are there for the regulator.
  const html = await compliance.request.get(await compliance.getByTestId("qa-export-html").getAttribute("href") as string);
  expect(html.status()).toBe(200);
  expect(await html.text()).toContain("会话 #" + convID);
  const xlsx = await compliance.request.get(await compliance.getByTestId("qa-export-xlsx").getAttribute("href") as string);
  expect(xlsx.headers()["content-type"]).toContain("spreadsheetml");

  // Drill-down continues to the conversation itself, read-only for compliance.
  await drill.getByTestId("qa-open-conversation").click();
  await expect(compliance.getByTestId("messages")).toContainText("这是公司规定，我也没办法");
  await expect(compliance.getByTestId("take")).toHaveCount(0);

  // An agent cannot read the report even knowing its address.
  const reports = await compliance.request.get("/api/v1/qa/reports");
  const reportID = (await reports.json()).reports[0].id;
  expect((await agent.request.get(`/api/v1/qa/reports/${reportID}/items`)).status()).toBe(403);
  expect((await agent.request.get(`/api/v1/qa/reports/${reportID}/export?format=csv`)).status()).toBe(403);
});

test("QA: service reports with charts after the top-questions job", async ({ browser }) => {
  const day = shanghaiDay(new Date()); // once: the report shown is the one the run made
  const admin = await loginAs(browser, "admin");
  const run = await admin.request.post("/api/v1/jobs/top-questions/run", {
    data: { date: day },
    headers: { "X-CSRF-Token": await csrf(admin) },
  });
  expect(run.status()).toBe(202);
  const runID = (await run.json()).run.id;
  await admin.getByTestId("nav-jobs").click();
  await expect(admin.getByTestId("job-run-status-" + runID)).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });

  const editor = await loginAs(browser, "editor");
  await editor.getByTestId("nav-analytics").click();
  await editor.getByTestId("analytics-date").locator("input").fill(day);
  await editor.getByTestId("analytics-date").locator("input").press("Enter");
  await expect(editor.getByTestId("analytics-cards")).toBeVisible();
  await expect(editor.getByTestId("analytics-heatmap").locator("canvas").first()).toBeVisible();
  await expect(editor.getByTestId("analytics-intents")).toBeVisible();
  await editor.screenshot({ path: "test-results/qa-analytics.png", fullPage: true });
});
