import { readFileSync } from "node:fs";
import { test, expect, type Page } from "@playwright/test";
import { appSay, loginAs } from "./helpers";

// Erasing a customer's personal information on request (个人信息保护法 art. 47):
// an admin asks, with a reason, after the conversation is closed; a
// compliance officer approves; what the customer said is gone from the
// console and the erasure is in the audit log.
test("an admin exports and asks to erase a customer's personal information, compliance approves; agents can do neither", async ({ browser, request }) => {
  const said = await appSay(request, "erase-me-1", "erase-1", "我叫王五，手机13912345678，快递到哪了");
  const conv = said.conversation_id;

  const agent = await loginAs(browser, "agent1");
  await agent.goto(`/conversations/${conv}`);
  await expect(agent.getByTestId("customer-profile")).toContainText("erase-me-1");
  await expect(agent.getByTestId("profile-erase")).toHaveCount(0);
  await expect(agent.getByTestId("profile-export")).toHaveCount(0);

  const admin = await loginAs(browser, "admin");
  await admin.goto(`/conversations/${conv}`);
  // A copy of everything held about the person, as the request for access asks.
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByTestId("profile-export").click()]);
  expect(download.suggestedFilename()).toMatch(/^customer-\d+\.json$/);
  const copy = JSON.parse(readFileSync(await download.path(), "utf8"));
  expect(JSON.stringify(copy.conversations)).toContain("13912345678");
  const erase = async (p: Page, reason: string) => {
    await p.getByTestId("profile-erase").click();
    await expect(p.getByTestId("erase-four-eyes")).toBeVisible();
    await p.locator('textarea[data-testid="erase-reason"], [data-testid="erase-reason"] textarea').fill(reason);
    await p.getByTestId("erase-confirm").click();
  };
  // Still open: refused, and nothing changes.
  await expect(admin.getByTestId("profile-erase")).toHaveText("申请删除个人信息");
  await erase(admin, "PIPL 删除申请 2026-1124-01");
  await expect(admin.locator(".el-message--error")).toContainText("请先结束会话");
  await admin.keyboard.press("Escape");
  await expect(admin.getByTestId("messages")).toContainText("13912345678");

  await admin.getByTestId("close").click();
  await admin.getByRole("button", { name: "确定" }).click();
  await expect(admin.getByTestId("conv-status")).toHaveText("已结束");

  // Four eyes: the admin asks; nothing is erased until someone else approves.
  await erase(admin, "PIPL 删除申请 2026-1124-01");
  await expect(admin.locator(".el-message--success")).toContainText("已提交删除申请");
  await expect(admin.getByTestId("erase-pending")).toContainText("admin");
  await expect(admin.getByTestId("erase-pending")).toContainText("PIPL 删除申请 2026-1124-01");
  await expect(admin.getByTestId("erase-approve")).toHaveCount(0);
  await expect(admin.getByTestId("profile-erase")).toHaveCount(0);
  await expect(admin.getByTestId("messages")).toContainText("13912345678");
  await expect(admin.locator('[data-testid="erase-reason"]')).toBeHidden();
  await admin.screenshot({ path: "test-results/privacy-requested.png" });

  // The compliance officer finds the request in the inbox of 删除申请, by
  // the customer's name, and decides it in the profile opened from there.
  const officer = await loginAs(browser, "compliance");
  await officer.getByTestId("nav-erasures").click();
  const row = officer.getByTestId("erasures-table").locator(".el-table__row", { hasText: "PIPL 删除申请 2026-1124-01" });
  await expect(row).toContainText("erase-me-1");
  await expect(row).toContainText("admin");
  await officer.screenshot({ path: "test-results/privacy-inbox.png" });
  await row.getByRole("button").click();
  await expect(officer.getByTestId("erase-pending")).toBeVisible();
  await officer.waitForTimeout(500); // the drawer slides in: a still picture for the screenshot
  await officer.screenshot({ path: "test-results/privacy-approve.png" });
  await officer.getByTestId("erase-approve").click();
  await officer.locator('textarea[data-testid="decision-note"], [data-testid="decision-note"] textarea').fill("核实申请人身份无误");
  await officer.getByTestId("decision-confirm").click();
  await expect(officer.locator(".el-message--success")).toContainText("已删除：1 个会话");
  await expect(officer.getByTestId("profile-erased")).toContainText("个人信息已于");
  await expect(officer.getByTestId("erase-pending")).toHaveCount(0);
  // Decided, it leaves the inbox.
  await officer.keyboard.press("Escape");
  await expect(officer.getByTestId("erasures-table")).not.toContainText("PIPL 删除申请 2026-1124-01");

  await admin.reload();
  await expect(admin.getByTestId("profile-erased")).toContainText("个人信息已于");
  await expect(admin.getByTestId("profile-erase")).toHaveCount(0);
  await expect(admin.getByTestId("messages")).toContainText("[已删除 erased]");
  await expect(admin.getByTestId("messages")).not.toContainText("13912345678");
  await expect(admin.getByTestId("customer-profile")).not.toContainText("erase-me-1");
  await admin.screenshot({ path: "test-results/privacy-erased.png" });

  await admin.goto("/audit");
  const filter = admin.locator('input[data-testid="audit-filter"], [data-testid="audit-filter"] input');
  await filter.fill("customer.erase");
  await filter.press("Enter");
  await expect(admin.locator(".el-table")).toContainText("PIPL 删除申请 2026-1124-01");

  // The same app user writing again is a new customer with no history.
  const again = await appSay(request, "erase-me-1", "erase-2", "你好");
  expect(again.conversation_id).not.toBe(conv);
});
