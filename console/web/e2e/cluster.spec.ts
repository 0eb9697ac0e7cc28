import { test, expect } from "@playwright/test";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loginAt as login, widget, widgetSay } from "./helpers";

// Two appliances on one MariaDB database, as behind a load balancer: the
// supervisor's routing board shows both nodes; a customer on node B's widget
// hands off, the agent on node A sees it routed live, takes it and replies,
// and the widget on node B shows the reply. The suite starts its own nodes
// (ports KEFU_E2E_PORT+2 and +3) on a throw-away database.

const first = Number(process.env.KEFU_E2E_PORT || 18931) + 2;
const nodeA = `http://127.0.0.1:${first}`;
const nodeB = `http://127.0.0.1:${first + 1}`;
const db = "kefu_e2e_cluster_" + randomBytes(4).toString("hex");
const mysql = (sql: string) => execFileSync("mysql", ["--protocol=tcp", "-h127.0.0.1", "-uroot", "-e", sql], { stdio: "pipe" });
const servers: ChildProcess[] = [];
let noDatabase = "";

test.describe.configure({ mode: "serial" });

async function start(port: number, node: string) {
  const server = spawn("../../bin/kefu", ["serve", "--demo"], {
    env: {
      ...process.env, KEFU_HTTP_ADDR: `127.0.0.1:${port}`, KEFU_DATA_DIR: mkdtempSync(join(tmpdir(), "kefu-e2e-cluster-")),
      KEFU_LOG_LEVEL: "warn", KEFU_DATABASE_DSN: `root@tcp(127.0.0.1:3306)/${db}`,
      KEFU_SECRET_KEY: "6b6566752d6532652d636c75737465722d6b65792d30313233343536373839",
      KEFU_CLUSTER_ENABLED: "true", KEFU_CLUSTER_NODE_ID: node, KEFU_CLUSTER_HEARTBEAT: "1s",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  servers.push(server);
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`node ${node} did not start`);
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  try {
    mysql(`CREATE DATABASE ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } catch (e) {
    noDatabase = `MariaDB is not reachable at 127.0.0.1:3306 (make test starts it): ${e}`;
    return;
  }
  await start(first, "node-a"); // first: it takes the router lock
  await start(first + 1, "node-b");
});

test.afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => { s.once("exit", r); s.kill("SIGTERM"); })));
  if (!noDatabase) mysql(`DROP DATABASE IF EXISTS ${db}`);
});


test("the routing board shows both nodes and which one routes", async ({ browser }) => {
  test.skip(!!noDatabase, noDatabase);
  const boss = await login(browser, nodeA, "supervisor");
  await boss.page.goto("/routing");
  const nodes = boss.page.getByTestId("cluster-nodes");
  await expect(nodes.getByTestId("node-node-a")).toContainText("当前节点");
  await expect(nodes.getByTestId("node-node-a")).toContainText("负责分配");
  await expect(nodes.getByTestId("node-node-b")).toBeVisible({ timeout: 15_000 });
  await expect(nodes.getByTestId("node-node-b")).not.toContainText("负责分配");
  await boss.page.screenshot({ path: "test-results/cluster-routing-board.png", animations: "disabled" });
});

test("a customer on one node and the agent on the other talk live", async ({ browser }) => {
  test.skip(!!noDatabase, noDatabase);
  test.setTimeout(90_000);
  const agent = await login(browser, nodeA, "agent1");

  const customer = await (await browser.newContext({ baseURL: nodeB })).newPage();
  await customer.goto("/widget/demo");
  const w = widget(customer);
  await expect(customer.getByTestId("kefu-status")).toHaveText(/在线/);
  await widgetSay(customer, "转人工");
  await expect(w.rows("system").filter({ hasText: "正在为您转接人工客服" })).toBeVisible();

  // Routed to agent1 on node A, live.
  const item = agent.page.locator(`[data-status="queued"][data-assignee="${agent.id}"]`);
  await expect(item).toContainText("网页");
  await expect(item.getByTestId("routed")).toHaveText(/已分配给您/);
  const conv = (await item.getAttribute("data-testid"))!.replace("conversation-", "");
  await item.click();
  await expect(agent.page.getByTestId("messages")).toContainText("转人工");
  await expect(agent.page.getByTestId("past-" + conv)).toContainText("排队中");
  await agent.page.getByTestId("take").click();
  await expect(agent.page.getByTestId("conv-status")).toHaveText("人工接待");
  // The profile's list of the customer's conversations follows, unreloaded.
  await expect(agent.page.getByTestId("past-" + conv)).toContainText("人工接待");

  // The customer writes on B, the agent reads on A; the agent answers on A,
  // the customer reads on B.
  await widgetSay(customer, "我的快递三天没动了");
  await expect(agent.page.getByTestId("messages")).toContainText("我的快递三天没动了");
  await agent.page.getByTestId("composer").fill("您好，我是小王，马上帮您查询物流。");
  await agent.page.getByTestId("send").click();
  await expect(w.rows("agent").filter({ hasText: "马上帮您查询物流" })).toBeVisible();
  await agent.page.screenshot({ path: "test-results/cluster-agent-on-node-a.png", animations: "disabled" });
  await customer.screenshot({ path: "test-results/cluster-customer-on-node-b.png", animations: "disabled" });
});
