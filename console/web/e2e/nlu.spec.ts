import { test, expect } from "@playwright/test";
import { loginAs, widget, widgetSay } from "./helpers";

const phrase = "可以帮我把礼物寄给我妈妈吗";
const question = "请问希望礼物哪天送到？";
const examples = ["礼物能帮忙寄给我妈妈吗", "想送礼物给朋友 能直接寄过去吗", "帮我把礼物送到我爸那", "代寄礼物怎么弄", "可以直接把礼物寄给别人吗"];

// An admin teaches the bot a new intent in the console; the very next
// customer message with the new phrasing is understood, without a restart.
test("an admin adds an intent and the bot understands the new phrasing at once", async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, phrase);
  await expect(w.rows("bot")).toHaveCount(2); // the welcome line and the answer
  await expect(w.rows("bot").filter({ hasText: question })).toHaveCount(0);

  const admin = await loginAs(browser, "admin");
  await admin.getByTestId("nav-nlu").click();
  await expect(admin.getByTestId("catalog-source")).toHaveText("来自配置（尚未在此编辑）");
  await expect(admin.getByTestId("intent-order_status")).toBeVisible();
  // Looking up an order may be asked again about something else ("那面霜呢?").
  await admin.getByTestId("intent-order_status").click();
  await expect(admin.getByTestId("intent-editor").getByTestId("intent-follow-up")).toHaveClass(/is-checked/);
  await admin.getByTestId("intent-follow-up").scrollIntoViewIfNeeded();
  await admin.screenshot({ path: "test-results/nlu-follow-up.png" });
  // Booking the hotel recommended is only recognised right after a hotel search.
  await admin.getByTestId("intent-hotel_book").click();
  await expect(admin.getByTestId("intent-editor").getByTestId("intent-after")).toContainText("hotel_search");
  await admin.getByTestId("intent-after").scrollIntoViewIfNeeded();
  await admin.screenshot({ path: "test-results/nlu-after.png" });

  await admin.getByTestId("intent-new").click();
  const editor = admin.getByTestId("intent-editor");
  await editor.getByTestId("intent-name").fill("gift_delivery");
  await editor.getByTestId("intent-description").fill("代寄礼物");
  const add = editor.getByTestId("add-example-zh");
  for (const ex of examples) {
    await add.fill(ex);
    await add.press("Enter");
  }
  // An example another intent owns is refused on the spot.
  await add.fill("我的快递到哪了");
  await add.press("Enter");
  await expect(editor.getByTestId("example-error")).toContainText("order_status");
  await add.fill("");
  await expect(editor.getByTestId("examples-zh").locator(".el-tag")).toHaveCount(examples.length);

  await editor.getByTestId("add-slot").click();
  await editor.getByTestId("slot-name").fill("delivery_date");
  await editor.getByTestId("slot-ask").fill(question);
  await admin.getByTestId("catalog-note").fill("新增代寄礼物");
  await admin.getByTestId("catalog-save").click();
  await expect(admin.getByTestId("catalog-version")).toHaveText("版本 1");
  await expect(admin.getByTestId("catalog-dirty")).toHaveCount(0);
  await admin.getByTestId("intent-gift_delivery").click();
  await admin.screenshot({ path: "test-results/nlu-catalog.png", fullPage: true });

  // The console's try box and the widget both understand it at once.
  await admin.getByRole("tab", { name: "试一试" }).click();
  await admin.getByTestId("try-input").fill(phrase);
  await admin.getByTestId("try-button").click();
  await expect(admin.getByTestId("try-result").getByTestId("dp-intent")).toContainText("gift_delivery");
  await admin.screenshot({ path: "test-results/nlu-try.png" });

  await widgetSay(customer, phrase);
  await expect(w.rows("bot").filter({ hasText: question })).toBeVisible();
  await widgetSay(customer, "下周五吧");
  await expect(w.rows("bot")).toHaveCount(4);

  // The decision path shows the engine, the scores and the slot filling.
  await admin.getByTestId("nav-conversations").click();
  await admin.getByTestId("tab-bot").click();
  await admin.locator('[data-testid^="conversation-"][data-status="bot"]').first().click();
  await admin.getByText("显示机器人决策").click();
  const decisions = admin.getByTestId("decision");
  await expect(decisions.filter({ hasText: "gift_delivery" }).first()).toBeVisible();
  const asked = decisions.filter({ hasText: "delivery_date" }).first();
  await expect(asked.getByTestId("dp-dialogue")).toContainText("gift_delivery");
  await asked.getByTestId("dp-toggle").click();
  await expect(asked.getByTestId("dp-details")).toContainText("local");
  const answered = decisions.filter({ hasText: "回答了追问" }).first();
  await expect(answered.getByTestId("dp-dialogue")).toContainText("delivery_date=");
  await admin.screenshot({ path: "test-results/nlu-decision.png" });

  // The YAML view reflects the saved catalog, and an invalid edit is refused
  // with the intent and the field named.
  await admin.getByTestId("nav-nlu").click();
  await admin.getByRole("tab", { name: "YAML" }).click();
  const yaml = admin.getByTestId("catalog-yaml");
  await expect(yaml).toHaveValue(/gift_delivery/);
  const text = await yaml.inputValue();
  await yaml.fill(text.replace("name: gift_delivery", "name: Gift Delivery"));
  await admin.getByTestId("catalog-check").click();
  await expect(admin.getByTestId("catalog-error")).toContainText("lower_snake_case");
});

test("a non-admin can read the catalog but not edit it", async ({ browser }) => {
  const supervisor = await loginAs(browser, "supervisor");
  await supervisor.getByTestId("nav-nlu").click();
  await expect(supervisor.getByTestId("catalog-readonly")).toBeVisible();
  await expect(supervisor.getByTestId("intent-order_status")).toBeVisible();
  await expect(supervisor.getByTestId("catalog-save")).toHaveCount(0);
  await expect(supervisor.getByTestId("intent-new")).toHaveCount(0);
  await expect(supervisor.getByTestId("intent-name")).toBeDisabled();
  // The server refuses the edit whatever the page shows.
  const csrf = await supervisor.evaluate(async () => (await (await fetch("/api/v1/auth/me")).json()).csrf_token);
  const resp = await supervisor.request.put("/api/v1/nlu/catalog", {
    headers: { "X-CSRF-Token": csrf },
    data: { yaml: "name: x", base_version: 0 },
  });
  expect(resp.status()).toBe(403);
  await supervisor.screenshot({ path: "test-results/nlu-readonly.png" });

  const agent = await loginAs(browser, "agent1");
  await expect(agent.getByTestId("nav-conversations")).toBeVisible();
  await expect(agent.getByTestId("nav-nlu")).toHaveCount(0);
});
