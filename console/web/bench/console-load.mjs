// Browser-side figures of the agent console under load: JS heap, DOM size and
// main-thread time of a supervisor's workspace showing O open conversations
// while customers and agents keep writing. Run with `npm run bench:console`
// after `make build` (it starts bin/kefu itself on a scratch database):
//
//   OPEN=200 SECONDS=30 INTERVAL=10 npm run bench:console
//
// It is a measurement, not a test: it prints numbers and asserts nothing.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OPEN = Number(process.env.OPEN || 200);
const SECONDS = Number(process.env.SECONDS || 30);
const INTERVAL = Number(process.env.INTERVAL || 10);
const AGENTS = Number(process.env.AGENTS || 5);
const port = Number(process.env.KEFU_BENCH_PORT || 18949);
const base = `http://127.0.0.1:${port}`;
const KEY = "bench-app", SECRET = "bench-secret-0123456789abcdef", PASSWORD = "kefu-demo-2026";

const server = spawn("../../bin/kefu", ["serve", "--demo"], {
  env: { ...process.env, KEFU_HTTP_ADDR: `127.0.0.1:${port}`, KEFU_DATA_DIR: mkdtempSync(join(tmpdir(), "kefu-bench-console-")),
    KEFU_LOG_LEVEL: "warn", KEFU_CHANNELS_APP_KEY: KEY, KEFU_CHANNELS_APP_SECRET: SECRET },
  stdio: ["ignore", "ignore", "inherit"],
});
process.on("exit", () => server.kill("SIGTERM"));

async function ready() {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(base + "/readyz")).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the appliance did not start");
}

async function appSay(user, id, text) {
  const body = JSON.stringify({ user_id: user, message_id: id, text });
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac("sha256", SECRET).update(ts + "\n" + body).digest("hex");
  const r = await fetch(base + "/api/v1/app/messages", { method: "POST", body,
    headers: { "Content-Type": "application/json", "X-Kefu-Key": KEY, "X-Kefu-Timestamp": ts, "X-Kefu-Signature": sig } });
  if (!r.ok) throw new Error("app: " + r.status + " " + (await r.text()));
  return r.json();
}

// session is a console login over plain HTTP (cookie and CSRF token).
async function session(username) {
  const r = await fetch(base + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }) });
  if (!r.ok) throw new Error("login " + username + ": " + r.status);
  const me = await r.json();
  const cookie = r.headers.get("set-cookie").split(";")[0];
  const call = async (method, path, body) => {
    const resp = await fetch(base + path, { method, headers: { Cookie: cookie, "X-CSRF-Token": me.csrf_token, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${await resp.text()}`);
    return resp.json();
  };
  return { id: me.user.id, call };
}

async function inBatches(items, n, f) {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(f));
}

const mb = (b) => (b / (1 << 20)).toFixed(1);

await ready();
const admin = await session("admin");
const agents = [];
for (let i = 0; i < AGENTS; i++) {
  await admin.call("POST", "/api/v1/users", { username: `bench-${i}`, role: "agent", password: PASSWORD, skills: ["售后", "金融业务", "课程顾问"],
    max_concurrent: Math.min(50, Math.ceil(OPEN / AGENTS) + 1) });
  agents.push(await session(`bench-${i}`));
}
const users = Array.from({ length: OPEN }, (_, i) => `bench-u${i}`);
const convOf = {};
await inBatches(users, 16, async (u) => { convOf[u] = (await appSay(u, "h", "转人工")).conversation_id; });
// Let the router offer them, then each agent takes what it was offered.
await new Promise((r) => setTimeout(r, 2000));
for (const a of agents) {
  const { conversations } = await a.call("GET", "/api/v1/conversations?status=queued");
  await inBatches(conversations.filter((c) => c.assignee_id === a.id), 16, (c) => a.call("POST", `/api/v1/conversations/${c.id}/take`));
}
const { conversations: open } = await admin.call("GET", "/api/v1/conversations?status=queued,assigned&limit=500");
const ownerOf = {};
for (const c of open) ownerOf[c.id] = agents.find((a) => a.id === c.assignee_id);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] });
const page = await (await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } })).newPage();
await page.goto("/login");
await page.getByTestId("login-username").fill("supervisor");
await page.getByTestId("login-password").fill(PASSWORD);
await page.getByTestId("login-submit").click();
await page.getByTestId("tab-all").click();
await page.locator('[data-status="assigned"]').first().waitFor();
await page.locator('[data-status="assigned"]').first().click();
await page.getByTestId("customer-profile").waitFor();
const cdp = await page.context().newCDPSession(page);
await cdp.send("Performance.enable");
const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
await cdp.send("HeapProfiler.collectGarbage");
await new Promise((r) => setTimeout(r, 2000));
const quiet0 = await metrics();
await new Promise((r) => setTimeout(r, 5000));
const idle = await metrics();
const quietBusy = (100 * (idle.TaskDuration - quiet0.TaskDuration)) / 5;
const shown = await page.locator('[data-testid^="conversation-"][data-status]').count();

// Activity: every open conversation gets a customer message and an agent
// reply every INTERVAL seconds, spread evenly.
const ids = Object.keys(ownerOf).map(Number);
const userOf = Object.fromEntries(Object.entries(convOf).map(([u, c]) => [c, u]));
const t0 = Date.now();
let sent = 0;
const timers = ids.map((id, n) => setTimeout(function tick(k = 0) {
  if (Date.now() - t0 > SECONDS * 1000) return;
  appSay(userOf[id], `m-${k}`, `第 ${k} 条：请问我的订单什么时候发货？`).then(() => sent++).catch(() => {});
  ownerOf[id]?.call("POST", `/api/v1/conversations/${id}/messages`, { text: "正在为您查询，请稍候。" }).then(() => sent++).catch(() => {});
  setTimeout(() => tick(k + 1), INTERVAL * 1000);
}, (INTERVAL * 1000 * n) / ids.length));
await new Promise((r) => setTimeout(r, SECONDS * 1000 + 500 - (process.env.TRACE ? 3500 : 0)));
const busy = await metrics();
if (process.env.TRACE) {
  await browser.startTracing(page, { path: process.env.TRACE, categories: (process.env.TRACE_CATS || "devtools.timeline,disabled-by-default-devtools.timeline").split(",") });
  await new Promise((r) => setTimeout(r, 3000));
  await browser.stopTracing();
}
timers.forEach(clearTimeout);
const seconds = (Date.now() - t0) / 1000;
await browser.close();

console.log(`supervisor console showing ${shown} conversations (${ids.length} open with agents), ${sent} messages in ${seconds.toFixed(0)} s:`);
console.log(`  idle:   JS heap ${mb(idle.JSHeapUsedSize)} MB of ${mb(idle.JSHeapTotalSize)} MB, ${idle.Nodes} DOM nodes`);
console.log(`  busy:   JS heap ${mb(busy.JSHeapUsedSize)} MB of ${mb(busy.JSHeapTotalSize)} MB, ${busy.Nodes} DOM nodes`);
console.log(`  main thread busy with nothing happening: ${quietBusy.toFixed(1)}%`);
console.log(`  main thread busy ${(100 * (busy.TaskDuration - idle.TaskDuration) / seconds).toFixed(1)}% ` +
  `(script ${(100 * (busy.ScriptDuration - idle.ScriptDuration) / seconds).toFixed(1)}%, layout ${(100 * (busy.LayoutDuration - idle.LayoutDuration) / seconds).toFixed(1)}%, ` +
  `style ${(100 * (busy.RecalcStyleDuration - idle.RecalcStyleDuration) / seconds).toFixed(1)}%)`);
process.exit(0);
