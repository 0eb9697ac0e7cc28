import { test, expect } from "@playwright/test";
import { createHash } from "node:crypto";
import { loginAs } from "./helpers";

const appID = "wx7f3e2d1c0b9a8876";
const appSecret = "e2e-app-secret-d41d8cd98f00b204";
const token = "e2etoken2026";
const aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

// An admin sets up a WeChat official account in the console: it runs at
// once (WeChat's server-URL check passes without a restart), and its
// credentials are never shown again, only masked.
test("channel set-up: credentials masked after save, applied without a restart", async ({ browser, request }) => {
  const admin = await loginAs(browser, "admin");
  await admin.getByTestId("nav-channel-setup").click();
  await expect(admin).toHaveURL(/\/channel-setup/);

  await admin.getByTestId("channel-create").click();
  await admin.getByTestId("channel-key").fill(appID);
  await admin.getByTestId("channel-name").fill("童鞋旗舰店");
  await admin.getByTestId("channel-secret-app_secret").fill(appSecret);
  await admin.getByTestId("channel-secret-token").fill(token);
  await admin.getByTestId("channel-secret-encoding_aes_key").fill(aesKey);
  await admin.getByTestId("channel-save").click();

  const table = admin.getByTestId("channel-accounts");
  await expect(table.getByTestId("channel-status")).toHaveText("运行中");
  await expect(table.getByTestId("channel-url")).toContainText(`/channels/wechat/oa/${appID}`);
  await expect(table.getByTestId("channel-secret")).toHaveCount(3);
  await expect(table).toContainText("••••DEFG");
  for (const s of [appSecret, token, aesKey]) expect(await admin.content()).not.toContain(s);

  // WeChat's server-URL check reaches the new account at once.
  const url = (await table.getByTestId("channel-url").textContent())!.trim();
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = "n" + Math.random().toString(36).slice(2);
  const signature = createHash("sha1").update([token, ts, nonce].sort().join("")).digest("hex");
  const check = await request.get(`${url}?signature=${signature}&timestamp=${ts}&nonce=${nonce}&echostr=hello-wechat`);
  expect(check.status()).toBe(200);
  expect(await check.text()).toBe("hello-wechat");
  const forged = await request.get(`${url}?signature=${"0".repeat(40)}&timestamp=${ts}&nonce=${nonce}&echostr=x`);
  expect(forged.status()).toBe(401);

  // Editing shows masks as hints, never the values; saving without retyping keeps them.
  await table.getByTestId("channel-edit").click();
  const secretInput = admin.getByTestId("channel-secret-encoding_aes_key");
  await expect(secretInput).toHaveValue("");
  await expect(secretInput).toHaveAttribute("placeholder", /••••DEFG/);
  await admin.getByTestId("channel-name").fill("童鞋旗舰店（官方）");
  await admin.screenshot({ path: "test-results/channels-edit.png" });
  await admin.getByTestId("channel-save").click();
  await expect(table).toContainText("童鞋旗舰店（官方）");
  await expect(table.getByTestId("channel-status")).toHaveText("运行中");
  const again = await request.get(`${url}?signature=${signature}&timestamp=${ts}&nonce=${nonce}&echostr=still-here`);
  expect(await again.text()).toBe("still-here");

  await admin.reload();
  await expect(table.getByTestId("channel-secret")).toHaveCount(3);
  for (const s of [appSecret, token, aesKey]) expect(await admin.content()).not.toContain(s);
  await admin.screenshot({ path: "test-results/channels-list.png", fullPage: true });

  // A host the configuration does not name is refused with its reason.
  await admin.getByTestId("channel-create").click();
  await admin.getByTestId("channel-key").fill("wx0000000000000001");
  await admin.getByTestId("channel-secret-app_secret").fill("x");
  await admin.getByTestId("channel-secret-token").fill(token);
  await admin.getByTestId("channel-secret-encoding_aes_key").fill(aesKey);
  await admin.getByTestId("channel-setting-api_base").fill("https://evil.example.com");
  await admin.getByTestId("channel-save").click();
  await expect(admin.locator(".el-message--error")).toContainText("API 地址不在配置允许的范围内");
  await expect(table.getByTestId("channel-status")).toHaveCount(1);
});

test("channel set-up is for admins only", async ({ browser, request }) => {
  const agent = await loginAs(browser, "agent1");
  await expect(agent.getByTestId("nav-conversations")).toBeVisible();
  await expect(agent.getByTestId("nav-channel-setup")).toHaveCount(0);
  await agent.goto("/channel-setup");
  await expect(agent).toHaveURL(/\/conversations/);
  const denied = await agent.request.get("/api/v1/channels/accounts");
  expect(denied.status()).toBe(403);
  const anon = await request.get("/api/v1/channels/accounts");
  expect(anon.status()).toBe(401);
});
