import { test, expect } from "@playwright/test";
import { loginAs } from "./helpers";

const answer = "可以，小型宠物请牵好绳，大型犬暂不能进店。";
const sheet = `id,问题,相似问题,答案,标签\nfaq-e2e-pets,店里能带宠物吗？,可以带狗进店吗|宠物能进店吗,${answer},门店\n`;

// An editor uploads an FAQ sheet, publishes the entry through review, and
// uses "try it" to see the answer with the passages and scores behind it.
test("editor uploads an FAQ sheet, publishes it and tries it", async ({ browser }) => {
  const page = await loginAs(browser, "editor");
  await expect(page).toHaveURL(/\/knowledge$/);
  await expect(page.getByTestId("knowledge-table")).toContainText("已发布");

  // A broken file is refused with its name.
  await page.getByTestId("knowledge-upload").click();
  await page.getByTestId("knowledge-file").setInputFiles({ name: "broken.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\nnot a pdf at all") });
  await page.getByTestId("knowledge-upload-submit").click();
  await expect(page.getByTestId("knowledge-upload-error")).toContainText("broken.pdf");
  await page.screenshot({ path: "test-results/knowledge-upload-error.png" });

  await page.getByTestId("knowledge-file").setInputFiles({ name: "pets.csv", mimeType: "text/csv", buffer: Buffer.from(sheet) });
  await page.getByTestId("knowledge-upload-tags").fill("e2e");
  await page.getByTestId("knowledge-upload-submit").click();
  await expect(page.getByTestId("knowledge-status-faq-e2e-pets")).toHaveText("草稿");

  // Not published yet: try-it does not answer from it.
  await page.getByTestId("knowledge-try-input").fill("宠物能进店吗");
  await page.getByTestId("knowledge-try-submit").click();
  await expect(page.getByTestId("knowledge-try-result")).toBeVisible();
  await expect(page.getByTestId("knowledge-try-reply")).not.toHaveText(answer);

  await page.getByTestId("knowledge-submit-faq-e2e-pets").click();
  await expect(page.getByTestId("knowledge-status-faq-e2e-pets")).toHaveText("待审核");
  await page.getByTestId("knowledge-publish-faq-e2e-pets").click();
  await expect(page.getByTestId("knowledge-status-faq-e2e-pets")).toHaveText("已发布");

  await page.getByTestId("knowledge-try-submit").click();
  await expect(page.getByTestId("knowledge-try-reply")).toHaveText(answer);
  await expect(page.getByTestId("knowledge-try-kind")).toHaveText("标准问答原文");
  const first = page.getByTestId("knowledge-try-passage").first();
  await expect(first).toContainText("店里能带宠物吗");
  await expect(first.getByTestId("knowledge-try-scores")).toContainText(/得分 \d\.\d{3}/);
  await expect(first.getByTestId("knowledge-try-scores")).toContainText(/匹配度 \d\.\d{3}/);
  await page.screenshot({ path: "test-results/knowledge-try-it.png", fullPage: true });

  // The entry's history shows who did what.
  await page.getByTestId("knowledge-item-faq-e2e-pets").click();
  await expect(page.getByTestId("knowledge-item-status")).toHaveText("已发布");
  await page.getByRole("tab", { name: "历史" }).click();
  await expect(page.getByTestId("knowledge-history")).toContainText("editor");
  await expect(page.getByTestId("knowledge-history")).toContainText("发布");
  await page.screenshot({ path: "test-results/knowledge-history.png", fullPage: true });

  // A document's chunks carry their heading paths.
  await page.goto("/knowledge/returns-policy");
  await page.getByRole("tab", { name: "版本" }).click();
  await page.getByTestId("knowledge-version-1").click();
  await expect(page.getByTestId("knowledge-chunks")).toContainText("退换货与售后服务政策 › 七天无理由退货");
  await page.screenshot({ path: "test-results/knowledge-chunks.png", fullPage: true });
});

// Agents have no knowledge page: not in the menu, redirected away, and
// refused by the server.
test("an agent has no knowledge page", async ({ browser }) => {
  const page = await loginAs(browser, "agent1");
  await expect(page.getByTestId("nav-conversations")).toBeVisible();
  await expect(page.getByTestId("nav-knowledge")).toHaveCount(0);
  await page.goto("/knowledge");
  await expect(page).toHaveURL(/\/conversations/);
  const resp = await page.request.get("/api/v1/knowledge/items");
  expect(resp.status()).toBe(403);
});
