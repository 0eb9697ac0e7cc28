import { expect, type APIRequestContext, type Page, type Browser, type BrowserContext } from "@playwright/test";
import { createHmac } from "node:crypto";

export const DEMO_PASSWORD = "kefu-demo-2026";

// The app API key of the appliance under test (set in playwright.config.ts).
export const APP_KEY = "e2e-app";
export const APP_SECRET = "e2e-secret-0123456789abcdef";

export async function loginAs(browser: Browser, username: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto("/login");
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(DEMO_PASSWORD);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("user-menu")).toBeVisible();
  return page;
}

// loginAt logs in to the appliance at base (a suite's own server) in a new
// context and waits for the live connection; it returns the user's id too.
export async function loginAt(browser: Browser, base: string, username: string): Promise<{ page: Page; id: number; ctx: BrowserContext }> {
  const ctx = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  await page.goto("/login");
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(DEMO_PASSWORD);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("user-menu")).toBeVisible();
  await expect(page.getByTestId("live-status")).toHaveText(/实时连接正常/);
  const me = await page.evaluate(() => fetch("/api/v1/auth/me").then((r) => r.json()));
  return { page, id: me.user.id, ctx };
}

// widget returns handles into the widget's shadow DOM (Playwright's CSS
// engine pierces open shadow roots).
export function widget(page: Page) {
  return {
    input: page.getByTestId("kefu-input"),
    send: page.getByTestId("kefu-send"),
    messages: page.getByTestId("kefu-messages"),
    rows: (from: string) => page.locator(`#kefu-widget .k-row[data-from="${from}"]`),
  };
}

export async function widgetSay(page: Page, text: string) {
  const w = widget(page);
  await w.input.fill(text);
  await w.send.click();
}

// appSay posts a customer message through the signed app API, as the app's server would.
export async function appSay(request: APIRequestContext, user: string, id: string, text: string) {
  const body = JSON.stringify({ user_id: user, message_id: id, text });
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac("sha256", APP_SECRET).update(ts + "\n" + body).digest("hex");
  const r = await request.post("/api/v1/app/messages", {
    data: body,
    headers: { "Content-Type": "application/json", "X-Kefu-Key": APP_KEY, "X-Kefu-Timestamp": ts, "X-Kefu-Signature": sig },
  });
  expect(r.ok()).toBe(true);
  return (await r.json()) as { conversation_id: number; replies: { text: string; from: string }[] };
}
