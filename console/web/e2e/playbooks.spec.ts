import { test, expect, type Page } from "@playwright/test";
import { appSay, loginAs, widget, widgetSay } from "./helpers";

// The demo shop's earlier order was placed 16 days before the appliance
// started (see connectors/demobiz): E + yyyymmdd + 0032. Its number is read
// from demo-1001's profile, as the shop keeps it: computed from today it is
// wrong once a midnight has passed since the start.
async function earlierOrder(agent: Page): Promise<string> {
  const { conversation_id } = await appSay(agent.request, "demo-1001", "e2e-orders", "在吗");
  const conv = await (await agent.request.get(`/api/v1/conversations/${conversation_id}`)).json();
  const prof = await (await agent.request.get(`/api/v1/customers/${conv.conversation.customer_id}/profile`)).json();
  const records = prof.profile.records as { kind: string; id: string }[];
  const order = records.find((r) => r.kind === "order" && /^E\d{8}0032$/.test(r.id));
  expect(order, JSON.stringify(records)).toBeDefined();
  return order!.id;
}

// A customer asks the bot for a return; an agent approves it in the
// console; the customer is told in the widget they used.
test("agent moves a return ticket and the customer is told", async ({ browser }) => {
  const agent = await loginAs(browser, "agent1");
  const order = await earlierOrder(agent);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, `我要退货，订单号${order}`);
  await expect(w.rows("bot").filter({ hasText: "可以为您申请退货" })).toBeVisible();
  await widgetSay(customer, "提交");
  await expect(w.rows("bot").filter({ hasText: "已为您提交退货申请" })).toBeVisible();

  await agent.getByTestId("nav-tickets").click();
  const row = agent.locator('[data-testid^="ticket-"][data-status="待审核"]').filter({ hasText: order }).first();
  await expect(row).toBeVisible();
  await row.click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("待审核");
  await expect(agent.getByTestId("ticket-history")).toContainText("待审核");
  await agent.getByTestId("move-已审核").click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("已审核");
  await expect(agent.getByTestId("ticket-history")).toContainText("待审核 → 已审核");
  await agent.screenshot({ path: "test-results/ticket-approved.png" });

  await expect(w.rows("system").filter({ hasText: `您的退货申请（订单${order}）已审核通过` })).toBeVisible({ timeout: 15_000 });
  await customer.screenshot({ path: "test-results/widget-ticket-told.png" });

  // Then 已收货: the customer hears about the refund too.
  await agent.getByTestId("move-已收货").click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("已收货");
  await expect(w.rows("system").filter({ hasText: "我们已收到您退回的商品" })).toBeVisible({ timeout: 15_000 });
});

test("an admin edits a playbook; a broken edit is refused", async ({ browser }) => {
  const admin = await loginAs(browser, "admin");
  await admin.getByTestId("nav-playbooks").click();
  await admin.getByTestId("doc-playbook:travel").click();
  const body = admin.locator('textarea[data-testid="doc-body"], [data-testid="doc-body"] textarea').first();
  const original = await body.inputValue();
  await body.fill("name: travel\nbindings: [{intent: hotel_search}]");
  await admin.getByTestId("doc-save").click();
  await expect(admin.getByTestId("doc-error")).toContainText("does nothing");
  await body.fill(original.replace("的酒店目前有", "的酒店还有"));
  await admin.getByTestId("doc-save").click();
  await expect(admin.getByTestId("doc-playbook:travel")).toContainText("v1");
  await admin.screenshot({ path: "test-results/playbooks-editor.png" });

  const customer = await (await browser.newContext()).newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, "有没有靠近地铁站的双床房?");
  await expect(w.rows("bot").filter({ hasText: "的酒店还有" })).toBeVisible();
});
