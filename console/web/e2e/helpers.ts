import { expect, type Page, type Browser } from "@playwright/test";

export const DEMO_PASSWORD = "kefu-demo-2026";

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
