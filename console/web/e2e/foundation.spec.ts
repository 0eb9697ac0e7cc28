import { test, expect } from "@playwright/test";
import { DEMO_PASSWORD, loginAs, widget, widgetSay } from "./helpers";

// The foundation's vertical slice: a customer writes in the widget, the bot
// answers, the customer asks for a human, an agent takes the conversation in
// the console and replies, and the customer sees the reply.
test("widget → bot → 转人工 → agent reply reaches the customer", async ({ browser }) => {
  const customerCtx = await browser.newContext();
  const customer = await customerCtx.newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);

  await widgetSay(customer, "在吗");
  await expect(w.rows("bot").filter({ hasText: "请问有什么可以帮您" }).last()).toBeVisible();
  await widgetSay(customer, "运费怎么算");
  await expect(w.rows("bot").filter({ hasText: "99 元" })).toBeVisible();
  await customer.screenshot({ path: "test-results/widget-bot.png" });

  await widgetSay(customer, "转人工");
  await expect(w.rows("system").filter({ hasText: "正在为您转接人工客服" })).toBeVisible();

  const agent = await loginAs(browser, "agent1");
  await expect(agent).toHaveURL(/\/conversations/);
  const queued = agent.locator('[data-status="queued"]').first();
  await expect(queued).toBeVisible();
  await expect(queued.getByTestId("waiting")).toBeVisible();
  await queued.click();
  await expect(agent.getByTestId("messages")).toContainText("转人工");
  await agent.getByTestId("take").click();
  await expect(agent.getByTestId("conv-status")).toHaveText("人工接待");

  // The bot stays silent while a human owns the conversation.
  await widgetSay(customer, "<img src=x onerror=alert(1)>你好，我的快递到哪了？");
  await expect(agent.getByTestId("messages")).toContainText("<img src=x onerror=alert(1)>你好");

  await agent.getByTestId("composer").fill("您好，我是客服小王，马上帮您查询。");
  await agent.getByTestId("send").click();
  await expect(w.rows("agent").filter({ hasText: "我是客服小王" })).toBeVisible();
  // The welcome line, the reply to 在吗 and the shipping answer: nothing from the bot after the hand-off.
  await expect(w.rows("bot")).toHaveCount(3);
  await agent.screenshot({ path: "test-results/console-conversation.png" });
  await customer.screenshot({ path: "test-results/widget-agent.png" });

  // Script in a message is shown as text and never runs.
  let dialog = false;
  agent.on("dialog", () => (dialog = true));
  customer.on("dialog", () => (dialog = true));
  await agent.waitForTimeout(300);
  expect(dialog).toBe(false);
});

test("widget resumes after a reconnect without losing or duplicating messages", async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, "转人工");
  await expect(w.rows("system").filter({ hasText: "转接人工" })).toBeVisible();

  const agent = await loginAs(browser, "agent2");
  await agent.locator('[data-status="queued"]').first().click();
  await agent.getByTestId("take").click();

  // The customer's connection drops; the agent writes meanwhile.
  await customer.evaluate(() => (window as any).KefuWidget._disconnect());
  await agent.getByTestId("composer").fill("断线期间的消息");
  await agent.getByTestId("send").click();
  await expect(w.rows("agent").filter({ hasText: "断线期间的消息" })).toHaveCount(1);

  // A reload keeps the visitor (token in localStorage) and the history.
  await customer.reload();
  await expect(w.rows("agent").filter({ hasText: "断线期间的消息" })).toHaveCount(1);
  await expect(w.rows("customer").filter({ hasText: "转人工" })).toHaveCount(1);
});

test("a compliance officer can read conversations but not reply; an editor cannot see them", async ({ browser }) => {
  const compliance = await loginAs(browser, "compliance");
  await compliance.getByTestId("tab-all").click();
  await compliance.locator('[data-testid^="conversation-"][data-status]').first().click();
  await expect(compliance.getByText("只读：您的角色不能回复会话")).toBeVisible();
  await expect(compliance.getByTestId("take")).toHaveCount(0);
  await expect(compliance.getByTestId("nav-audit")).toBeVisible();
  // The conversation's messages verify against their hash chain.
  await compliance.getByTestId("verify").click();
  await expect(compliance.getByTestId("chain-result")).toContainText("完整：消息自存储以来未被改动");
  await expect(compliance.getByTestId("chain-head")).toHaveText(/^[0-9a-f]{64}$/);
  await compliance.screenshot({ path: "test-results/conversation-verified.png" });
  // The printable record for a case file opens in a new tab.
  const [record] = await Promise.all([compliance.context().waitForEvent("page"), compliance.getByTestId("transcript").click()]);
  await record.waitForLoadState();
  await expect(record.locator("h1")).toContainText("会话记录");
  await expect(record.locator(".ok")).toContainText("完整");
  await record.screenshot({ path: "test-results/conversation-record.png", fullPage: true });

  const editor = await loginAs(browser, "editor");
  await expect(editor.getByTestId("nav-conversations")).toHaveCount(0);
});

test("a user changes their own password from the user menu", async ({ browser }) => {
  // A user of its own (an editor: never routed), so other tests keep the demo passwords.
  const admin = await loginAs(browser, "admin");
  const me = await (await admin.request.get("/api/v1/auth/me")).json();
  const name = "pw-" + Date.now().toString(36);
  const created = await admin.request.post("/api/v1/users", {
    data: { username: name, display_name: "改密测试", role: "editor", password: DEMO_PASSWORD },
    headers: { "X-CSRF-Token": me.csrf_token },
  });
  expect(created.status()).toBe(201);

  const page = await loginAs(browser, name);
  const open = async () => {
    await page.getByTestId("user-menu").hover();
    await page.getByTestId("change-password").click();
    await expect(page.getByTestId("password-dialog")).toBeVisible();
  };
  await open();
  await page.getByTestId("pw-current").fill("not-my-password");
  await page.getByTestId("pw-new").fill("brand-new-pass-1");
  await page.getByTestId("pw-repeat").fill("brand-new-pass-1");
  await page.getByTestId("pw-save").click();
  await expect(page.getByText("当前密码错误")).toBeVisible();

  await page.getByTestId("pw-current").fill(DEMO_PASSWORD);
  await page.getByTestId("pw-repeat").fill("brand-new-pass-2");
  await page.getByTestId("pw-save").click();
  await expect(page.getByText("两次输入的新密码不一致")).toBeVisible();

  await page.getByTestId("pw-repeat").fill("brand-new-pass-1");
  await page.screenshot({ path: "test-results/change-password.png" });
  await page.getByTestId("pw-save").click();
  await expect(page.getByText("密码已修改")).toBeVisible();
  await expect(page.getByTestId("password-dialog")).toBeHidden();

  // Only the new password logs in now.
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto("/login");
  await fresh.getByTestId("login-username").fill(name);
  await fresh.getByTestId("login-password").fill(DEMO_PASSWORD);
  await fresh.getByTestId("login-submit").click();
  await expect(fresh.getByText("用户名或密码错误")).toBeVisible();
  await fresh.getByTestId("login-password").fill("brand-new-pass-1");
  await fresh.getByTestId("login-submit").click();
  await expect(fresh.getByTestId("user-menu")).toBeVisible();
});
