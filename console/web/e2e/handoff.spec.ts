import { test, expect, type Browser, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loginAt, widget, widgetSay } from "./helpers";

// Hand-off, routing and the agent workspace, end to end in Chromium: two
// agents (agent2 is senior), a supervisor, a VIP customer on the app API
// and an ordinary customer on the web widget. This file starts its own
// appliance (next port after KEFU_E2E_PORT) so it can use a 4-second waiting
// alert without slowing the other suites.

const port = Number(process.env.KEFU_E2E_PORT || 18931) + 1;
const base = `http://127.0.0.1:${port}`;
const APP_KEY = "e2e-app";
const APP_SECRET = "e2e-secret-0123456789abcdef";
const VIP = "demo-vip-8888";
let server: ChildProcess;

test.use({ baseURL: base });
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  server = spawn("../../bin/kefu", ["serve", "--demo"], {
    env: {
      ...process.env, KEFU_HTTP_ADDR: `127.0.0.1:${port}`, KEFU_DATA_DIR: mkdtempSync(join(tmpdir(), "kefu-e2e-handoff-")),
      KEFU_LOG_LEVEL: "warn", KEFU_ROUTING_WAIT_ALERT: "4s", KEFU_CHANNELS_APP_KEY: APP_KEY, KEFU_CHANNELS_APP_SECRET: APP_SECRET,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(base + "/readyz")).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the appliance did not start");
});

test.afterAll(() => {
  server?.kill("SIGTERM");
});

// appSay posts a message through the signed app API, as the app's server would.
async function appSay(user: string, id: string, text: string) {
  const body = JSON.stringify({ user_id: user, message_id: id, text });
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac("sha256", APP_SECRET).update(ts + "\n" + body).digest("hex");
  const r = await fetch(base + "/api/v1/app/messages", {
    method: "POST", body,
    headers: { "Content-Type": "application/json", "X-Kefu-Key": APP_KEY, "X-Kefu-Timestamp": ts, "X-Kefu-Signature": sig },
  });
  expect(r.ok).toBe(true);
  return (await r.json()) as { conversation_id: number; replies: { text: string; from: string }[] };
}

function login(browser: Browser, username: string) {
  return loginAt(browser, base, username);
}

let agent1: { page: Page; id: number };
let agent2: { page: Page; id: number };
let boss: { page: Page; id: number };
let customer: Page;
let vipConv = 0;
let webConv = 0;

test("a VIP is routed to the senior agent, an ordinary customer to the other", async ({ browser }) => {
  test.setTimeout(90_000);
  agent1 = await login(browser, "agent1");
  agent2 = await login(browser, "agent2");
  boss = await login(browser, "supervisor");

  customer = await (await browser.newContext({ baseURL: base })).newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, "退货运费谁承担");
  await expect(w.rows("bot")).toHaveCount(2);
  await widgetSay(customer, "转人工");
  await expect(w.rows("system").filter({ hasText: "正在为您转接人工客服" })).toBeVisible();

  const vip = await appSay(VIP, "v-1", "转人工");
  vipConv = vip.conversation_id;
  expect(vip.replies.map((r) => r.from)).toEqual(["system"]);

  // agent2 (senior) gets the VIP, agent1 the web customer, both in real time.
  const vipItem = agent2.page.locator(`[data-testid="conversation-${vipConv}"]`);
  await expect(vipItem).toHaveAttribute("data-assignee", String(agent2.id));
  await expect(vipItem.getByTestId("routed")).toHaveText(/已分配给您/);
  await expect(vipItem).toContainText("VIP");
  // The notice names the customer as the list does (王先生, not 访客 #N),
  // though the event that routed it carried no customer.
  await expect(vipItem.locator(".name")).toHaveText("王先生");
  await expect(agent2.page.locator(".el-notification").filter({ hasText: "新会话已分配给您" })).toContainText("王先生");
  const webItem = agent1.page.locator(`[data-status="queued"][data-assignee="${agent1.id}"]`);
  await expect(webItem).toContainText("网页");
  await expect(webItem.getByTestId("routed")).toHaveText(/已分配给您/);
  webConv = Number((await webItem.getAttribute("data-testid"))!.replace("conversation-", ""));
  // Each sees the other's routing too; the VIP is first in the queue (priority).
  await expect(agent1.page.locator(`[data-testid="conversation-${vipConv}"]`).getByTestId("routed")).toHaveText(/资深客服 老李/);
  await expect(agent1.page.locator('[data-status="queued"]').first()).toHaveAttribute("data-testid", `conversation-${vipConv}`);
  await agent2.page.screenshot({ path: "test-results/handoff-routed-vip.png" });
});

test("a waiting alert reaches the agent and the supervisor after the threshold", async () => {
  // Nobody has answered the VIP for 4 s.
  const note = agent2.page.locator(".kefu-alert").filter({ hasText: `#${vipConv}` });
  await expect(note).toContainText("该用户已等待 4 秒，请尽快处理", { timeout: 10_000 });
  await expect(boss.page.locator(".kefu-alert").filter({ hasText: `#${vipConv}` })).toBeVisible();
  await expect(agent2.page.getByTestId("alert-bell")).toBeVisible();
  await agent2.page.screenshot({ path: "test-results/handoff-alert.png" });
});

test("the bot stays silent while the agent works with summary, suggestions and canned replies", async () => {
  test.setTimeout(60_000);
  const p = agent1.page;
  await p.locator(`[data-testid="conversation-${webConv}"]`).click();
  await expect(p.getByTestId("handoff-summary")).toContainText("客户要求人工");
  await expect(p.getByTestId("summary-questions")).toContainText("退货运费谁承担");
  await expect(p.getByTestId("summary-text")).toHaveCount(0); // the extractive paragraph repeats the rows
  await expect(p.getByTestId("customer-profile")).toBeVisible();
  await expect(p.getByTestId("customer-profile")).toContainText("订单与购买记录");
  await p.getByTestId("take").click();
  await expect(p.getByTestId("conv-status")).toHaveText("人工接待");

  const w = widget(customer);
  const botRows = await w.rows("bot").count();
  await widgetSay(customer, "运费怎么算");
  await expect(p.getByTestId("messages")).toContainText("运费怎么算");
  await customer.waitForTimeout(800);
  await expect(w.rows("bot")).toHaveCount(botRows);

  // A knowledge suggestion for the last question, used as the reply.
  const sug = p.getByTestId("suggestion-knowledge");
  await expect(sug).toContainText("运费");
  await p.getByTestId("use-suggestion-0").click();
  await expect(p.getByTestId("composer")).not.toHaveValue("");
  // The customer sees the agent typing.
  await p.getByTestId("composer").press("End");
  await p.getByTestId("composer").pressSequentially("。");
  await expect(customer.getByTestId("kefu-typing")).toHaveText("客服正在输入…");
  await p.getByTestId("send").click();
  await expect(w.rows("agent").filter({ hasText: "运费" })).toHaveCount(1);

  // Canned replies: "/稍等" then Enter inserts, Enter again sends.
  await p.getByTestId("composer").fill("/稍等");
  await expect(p.getByTestId("canned-picker")).toContainText("请稍候");
  await p.getByTestId("composer").press("Enter");
  await expect(p.getByTestId("composer")).toHaveValue("好的，请您稍等，我马上为您查询。");
  await p.getByTestId("composer").press("Enter");
  await expect(w.rows("agent").filter({ hasText: "我马上为您查询" })).toBeVisible();
  await p.screenshot({ path: "test-results/handoff-workspace.png" });
});

test("a transfer keeps the history", async () => {
  const p = agent1.page;
  await p.getByTestId("transfer").click();
  await p.getByTestId("transfer-agent").click();
  await p.getByTestId("transfer-agent-agent2").click();
  await p.getByTestId("transfer-note").fill("客户问退货运费，已答复，请继续跟进");
  await p.getByTestId("transfer-submit").click();
  await expect(p.getByTestId("conv-status")).toHaveText("人工接待");

  const q = agent2.page;
  await q.getByTestId("tab-mine").click();
  await q.locator(`[data-testid="conversation-${webConv}"]`).click();
  const msgs = q.getByTestId("messages");
  for (const text of ["退货运费谁承担", "转人工", "运费怎么算", "我马上为您查询", "客户问退货运费，已答复，请继续跟进"]) {
    await expect(msgs).toContainText(text);
  }
  await expect(widget(customer).rows("system").filter({ hasText: "正在为您转接其他客服" })).toBeVisible();
  await q.screenshot({ path: "test-results/handoff-transferred.png" });
});

test("closing asks for a score, and the bot answers again", async () => {
  const q = agent2.page;
  await q.getByTestId("close").click();
  await q.getByRole("button", { name: "确定" }).click();
  await expect(q.getByTestId("conv-status")).toHaveText("已结束");

  const w = widget(customer);
  await expect(customer.getByTestId("kefu-csat")).toBeVisible();
  await customer.screenshot({ path: "test-results/handoff-csat.png" });
  await customer.getByTestId("kefu-csat-5").click();
  await expect(customer.locator("#kefu-widget .k-csat-done")).toHaveText("感谢您的评价");
  await expect(q.getByTestId("csat-score")).toHaveText("满意度 5 分");

  const botRows = await w.rows("bot").count();
  await widgetSay(customer, "运费怎么算");
  await expect(w.rows("bot")).toHaveCount(botRows + 1);
  await expect(w.rows("bot").last()).toContainText("99");
});

test("supervisors edit the VIP level, agents only tags; the console catches up after a reconnect", async () => {
  const s = boss.page;
  await s.locator(`[data-testid="conversation-${vipConv}"]`).click();
  await expect(s.getByTestId("profile-vip")).toHaveText("VIP 客户");
  for (let i = 0; i < 3; i++) await s.getByTestId("vip-level").locator(".el-input-number__increase").click();
  await s.getByTestId("vip-save").click();
  await expect(s.getByTestId("profile-vip-level")).toHaveText("VIP3");

  const q = agent2.page;
  await q.locator(`[data-testid="conversation-${vipConv}"]`).click();
  await expect(q.getByTestId("vip-level")).toHaveCount(0);
  await q.getByTestId("tag-add").click();
  await q.getByTestId("tag-input").fill("理财意向");
  await q.getByTestId("tag-input").press("Enter");
  await expect(q.getByTestId("profile-tags")).toContainText("理财意向");
  await q.getByTestId("take").click();

  // The console's socket drops; the customer writes meanwhile.
  await q.evaluate(() => (window as unknown as { kefuRealtime: { drop: () => void } }).kefuRealtime.drop());
  await appSay(VIP, "v-2", "断线期间的第一条");
  await appSay(VIP, "v-3", "断线期间的第二条");
  await expect(q.getByTestId("live-status")).toHaveText(/实时连接正常/);
  const msgs = q.getByTestId("messages");
  await expect(msgs.locator('[data-sender="customer"]').filter({ hasText: "断线期间的第一条" })).toHaveCount(1);
  await expect(msgs.locator('[data-sender="customer"]').filter({ hasText: "断线期间的第二条" })).toHaveCount(1);
  await q.waitForTimeout(500);
  await expect(msgs.locator('[data-sender="customer"]').filter({ hasText: "断线期间" })).toHaveCount(2);
  await q.screenshot({ path: "test-results/handoff-profile.png" });
});
