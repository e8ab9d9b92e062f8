// Browser tests of the AgentMark UI (driven by run.sh).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = process.env.UI_URL, emptyBase = process.env.UI_EMPTY_URL, out = process.env.OUT_DIR;
const profile = mkdtempSync(join(tmpdir(), "am-chromium-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1440, height: 900 },
});
const page = ctx.pages()[0] ?? await ctx.newPage();
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });

let passed = 0, failed = 0;
async function test(name, fn) {
  try { await fn(); passed++; console.log("ok   " + name); }
  catch (e) { failed++; console.log("FAIL " + name + "\n     " + String(e.stack || e).split("\n").slice(0, 4).join("\n     ")); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }
async function shot(name) { await page.screenshot({ path: join(out, name + ".png"), fullPage: false }); }
async function go(url) {
  const r = await page.goto(url, { waitUntil: "domcontentloaded" });
  assert(r && r.status() === 200, `GET ${url}: status ${r && r.status()}`);
  await page.waitForLoadState("load");
}

await test("traces list loads with rows", async () => {
  await go(base + "/traces");
  const n = await page.locator("table.traces tbody tr").count();
  assert(n === 50, "want 50 rows, got " + n);
  await shot("01-traces");
});

await test("filter by status narrows the list", async () => {
  await page.selectOption("select[name=status]", "ERROR");
  await Promise.all([page.waitForURL(/status=ERROR/), page.click("form#trace-filters button[type=submit]")]);
  const badges = await page.locator("table.traces tbody .badge").allTextContents();
  assert(badges.length > 0 && badges.every((b) => b === "Error"), "non-error rows after filter: " + badges.join(","));
  await shot("02-traces-filtered");
});

await test("full-text search and sort", async () => {
  await go(base + "/traces?q=refund&sort=cost&order=desc");
  const names = await page.locator("table.traces td.io .in").allTextContents();
  assert(names.length > 0 && names.every((t) => /refund/i.test(t)), "search rows: " + names.slice(0, 3));
  const costs = (await page.locator("table.traces tbody td:nth-child(7)").allTextContents()).map((c) => parseFloat(c.replace("$", "")));
  for (let i = 1; i < costs.length; i++) assert(costs[i] <= costs[i - 1], "not sorted by cost desc");
});

await test("bad filter expression shows a friendly error", async () => {
  await go(base + "/traces?filter=" + encodeURIComponent("cost >>> 3"));
  assert(await page.locator(".alert").count() > 0, "no alert shown");
});

await test("list -> trace detail -> span detail", async () => {
  await go(base + "/traces?status=ERROR");
  await Promise.all([page.waitForURL(/\/traces\/[^?]+/), page.locator("table.traces tbody tr td.name a").first().click()]);
  await page.waitForSelector("#span-tree .sr");
  const spans = await page.locator("#span-tree .sr").count();
  assert(spans >= 2, "spans: " + spans);
  const errRow = page.locator("#span-tree .sr.e").first();
  await errRow.click();
  await page.waitForFunction(() => /Error/.test(document.querySelector("#span-detail")?.textContent || ""));
  assert(await page.locator("#span-detail .alert").count() > 0, "span error not shown");
  await shot("03-trace-detail-error");
});

await test("trace detail renders chat, tool calls and JSON", async () => {
  await go(base + "/traces?q=order");
  await Promise.all([page.waitForURL(/\/traces\/[^?]+/), page.locator("table.traces tbody tr td.name a").first().click()]);
  await page.locator("#span-tree .sr", { hasText: "chat" }).nth(1).click();
  await page.waitForSelector("#span-detail .msg.role-tool");
  assert(await page.locator("#span-detail .msg.role-user").count() > 0, "no user message");
  await shot("04-trace-detail-chat");
});

await test("2,000-span trace: tree, waterfall, collapse, keyboard", async () => {
  const t0 = Date.now();
  await go(base + "/traces/big-trace-000000000000000000000001");
  const n = await page.locator("#span-tree .sr").count();
  assert(n === 2000, "rows: " + n);
  console.log("     big trace loaded in " + (Date.now() - t0) + " ms");
  await shot("05-big-trace");
  await page.click("[data-tree=collapse]");
  const visible = await page.locator("#span-tree .sr:not([hidden])").count();
  assert(visible === 1, "after collapse visible: " + visible);
  await page.click("[data-tree=expand]");
  await page.locator("#span-tree .sr").first().focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("span") !== null);
});

await test("add trace to dataset", async () => {
  await go(base + "/traces?q=refund");
  await Promise.all([page.waitForURL(/\/traces\/[^?]+/), page.locator("table.traces tbody tr td.name a").first().click()]);
  await page.click("#add-dataset summary");
  await page.fill("#add-dataset input[name=dataset]", "datasets/from-ui.jsonl");
  await page.click("#add-dataset button[type=submit]");
  await page.waitForSelector("#dataset-result .ok-msg");
  await shot("06-add-to-dataset");
});

await test("sessions list -> conversation", async () => {
  await go(base + "/sessions");
  assert(await page.locator("table.data tbody tr").count() > 0, "no sessions");
  await shot("07-sessions");
  await go(base + "/sessions?q=demo");
  await Promise.all([page.waitForURL(/\/sessions\/.+/), page.locator("table.data tbody tr td.name a").first().click()]);
  await page.waitForSelector(".conversation .turn");
  await page.waitForTimeout(400);
  await shot("08-session-conversation");
});

await test("dashboard charts", async () => {
  await go(base + "/dashboard");
  const charts = await page.locator("svg.chart").count();
  assert(charts === 5, "charts: " + charts);
  assert(await page.locator("svg.chart rect.bar").count() > 0, "no bars");
  await shot("09-dashboard");
  await go(base + "/dashboard?range=1h");
  await shot("10-dashboard-1h");
});

await test("experiments list -> detail -> compare", async () => {
  await go(base + "/experiments");
  assert(await page.locator("table.data tbody tr").count() === 2, "want 2 runs");
  await shot("11-experiments");
  const boxes = page.locator("input[name=run]");
  await boxes.nth(0).check(); await boxes.nth(1).check();
  await Promise.all([page.waitForURL(/compare/), page.click("#compare-btn")]);
  assert(await page.locator("tr.regressed").count() > 0, "no regression highlighted");
  assert(await page.locator("tr.improved").count() > 0, "no improvement highlighted");
  await shot("12-compare");
  await go(base + "/experiments/run-baseline-0001");
  assert(await page.locator("table.items tbody tr").count() === 6, "items");
  await shot("13-experiment-detail");
});

await test("prompts: browse, render, run (streamed)", async () => {
  await go(base + "/prompts");
  await Promise.all([page.waitForURL(/prompts\/view/), page.locator("td.name a", { hasText: "support-agent" }).click()]);
  assert(await page.locator("#rendered .msg.role-system").count() === 1, "rendered system message");
  await page.fill("textarea[name=props]", '{"question":"Do you ship to Norway?"}');
  await page.click("button:has-text('Render')");
  await page.waitForFunction(() => /Norway/.test(document.querySelector("#rendered")?.textContent || ""));
  await page.click("#run-btn");
  await page.waitForSelector("#run-output .run-meta", { timeout: 15000 });
  const text = await page.locator("#run-output .stream").textContent();
  assert(/Norway/.test(text), "streamed output: " + text);
  await shot("14-playground");
});

await test("dark theme toggle", async () => {
  await go(base + "/traces");
  await page.click("#theme-toggle");
  const theme = await page.evaluate(() => document.documentElement.getAttribute("data-theme"));
  assert(theme === "dark" || theme === "light", "theme attr " + theme);
  if (theme !== "dark") await page.click("#theme-toggle");
  await shot("15-traces-dark");
  await go(base + "/traces/big-trace-000000000000000000000001");
  await shot("16-big-trace-dark");
  await page.click("#theme-toggle");
});

await test("keyboard: j/Enter opens a trace, g d goes to dashboard", async () => {
  await go(base + "/traces");
  await page.keyboard.press("j");
  await Promise.all([page.waitForURL(/\/traces\/.+/), page.keyboard.press("Enter")]);
  await Promise.all([page.waitForURL(/dashboard/), (async () => { await page.keyboard.press("g"); await page.keyboard.press("d"); })()]);
});

await test("empty store: every page has a friendly empty state", async () => {
  for (const p of ["/traces", "/sessions", "/dashboard", "/experiments"]) {
    await go(emptyBase + p);
    assert(await page.locator(".empty").count() === 1, "no empty state on " + p);
  }
  await go(emptyBase + "/traces");
  await shot("17-empty-traces");
});

await test("404 page", async () => {
  const before = consoleErrors.length;
  const r = await page.goto(base + "/traces/does-not-exist");
  assert(r.status() === 404, "status " + r.status());
  assert(await page.locator(".error-page").count() === 1, "no error page");
  await shot("18-not-found");
  consoleErrors.splice(before); // the 404 itself is expected
});

await test("no JavaScript errors", async () => {
  assert(consoleErrors.length === 0, consoleErrors.join("\n"));
});

await ctx.close();
rmSync(profile, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed; screenshots in ${out}`);
process.exit(failed ? 1 : 0);
