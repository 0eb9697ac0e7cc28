import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Browser tests run Debian's Chromium against a real appliance (bin/kefu,
// built by `make build`) started on a free port with a fresh data directory.
const port = Number(process.env.KEFU_E2E_PORT || 18931);
export const baseURL = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), "kefu-e2e-"));

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
  webServer: {
    command: "../../bin/kefu serve --demo",
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      KEFU_HTTP_ADDR: `127.0.0.1:${port}`,
      KEFU_DATA_DIR: dataDir,
      KEFU_LOG_LEVEL: "warn",
      KEFU_CHANNELS_APP_KEY: "e2e-app", // APP_KEY and APP_SECRET in e2e/helpers.ts
      KEFU_CHANNELS_APP_SECRET: "e2e-secret-0123456789abcdef",
    },
  },
});
