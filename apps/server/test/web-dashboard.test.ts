import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserSession,
  buildDashboard,
  openBrowser,
  overflowsSideways,
  screenshot,
  seriousAxeViolations,
  signIn,
  skipBrowser,
} from "./browser";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";
import { rollUp } from "./usage-fixture";

/**
 * The web dashboard in a real browser: Debian's Chromium driven by playwright-core (which never
 * downloads a browser), against the real gateway with spend made by real chat calls to the fake
 * providers. `.ci/run` installs Chromium when it is missing; elsewhere the browser part is skipped
 * without it, and in CI its absence fails.
 */

const repoRoot = resolve(import.meta.dirname, "../../..");

describe("web dashboard served by the gateway", () => {
  let t: TestGateway;
  let unbuilt: TestGateway;
  const emptyDir = mkdtempSync(join(tmpdir(), "llmg-web-"));

  beforeAll(async () => {
    buildDashboard();
    t = await startTestGateway("pglite");
    unbuilt = await startTestGateway("pglite", { env: { LLMG_WEB_DIR: emptyDir } });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await unbuilt?.close();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it("answers / and the page loads of client-side paths with index.html, revalidated on every load", async () => {
    for (const path of ["/", "/usage", "/requests/abc?x=1"]) {
      const res = await fetch(`${t.url}${path}`, { headers: { accept: "text/html,*/*;q=0.8" } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await res.text()).toContain('<div id="root">');
    }
    const index = await fetch(`${t.url}/index.html`);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("serves hashed assets as immutable for a year, and a missing one as the envelope's 404", async () => {
    const assets = readdirSync(join(repoRoot, "apps/web/dist/assets"));
    const script = assets.find((name) => name.endsWith(".js"));
    expect(script).toBeDefined();
    const res = await fetch(`${t.url}/assets/${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    const missing = await call(`${t.url}/assets/index-00000000.js`);
    expect(missing.status).toBe(404);
    expect(missing.body.success).toBe(false);
  });

  it("keeps every page's first load under 250 KB of gzipped JS (one chunk per page)", async () => {
    // @ts-expect-error: a plain .mjs script, shared with the command line
    const { pageBundles } = await import("../../../scripts/web-bundle-size.mjs");
    const bundles: { page: string; files: string[]; gzipBytes: number }[] = pageBundles();
    expect(bundles.map((b) => b.page)).toEqual(
      expect.arrayContaining(["overview/overview-page.tsx", "usage/usage-page.tsx", "admin/admin-page.tsx"]),
    );
    for (const bundle of bundles) expect(bundle.gzipBytes, bundle.page).toBeLessThan(250 * 1024);
    // Code-split: the charting library (over 100 KB) loads with the Usage page only. The landing
    // page draws its one chart as plain SVG, so it is barely larger than the sign-in page.
    const signIn = bundles.find((b) => b.page.startsWith("(sign-in"));
    const overview = bundles.find((b) => b.page === "overview/overview-page.tsx");
    const usage = bundles.find((b) => b.page === "usage/usage-page.tsx");
    expect(usage!.gzipBytes - signIn!.gzipBytes).toBeGreaterThan(50 * 1024);
    expect(overview!.gzipBytes - signIn!.gzipBytes).toBeLessThan(15 * 1024);
    // The build manifest stays on disk: dot-folders are not served.
    expect((await fetch(`${t.url}/.vite/manifest.json`)).status).not.toBe(200);
  });

  it("leaves the API's own paths to the API", async () => {
    // Unknown paths under the API prefixes answer the API's JSON (401 before auth, 404 after).
    for (const path of ["/api/no-such-route", "/v1/no-such-route", "/trpc/no.such"]) {
      const res = await call(`${t.url}${path}`);
      expect(res.headers.get("content-type"), path).toMatch(/json/);
      expect([401, 404], path).toContain(res.status);
    }
    expect((await fetch(`${t.url}/docs/`)).headers.get("content-type")).toMatch(/^text\/html/);
    expect((await call(`${t.url}/openapi.json`)).body.openapi).toBeDefined();
    expect((await call(`${t.url}/healthz`)).status).toBe(200);
    // An unknown path asked for by something other than a browser page load keeps the JSON 404.
    const notPage = await call(`${t.url}/nothing`);
    expect(notPage.status).toBe(404);
    expect(notPage.body.error).toBe("not_found");
    expect((await fetch(`${t.url}/`)).headers.get("content-type")).toMatch(/^text\/html/);
    // A page load is a GET: other methods on a page path are not the dashboard's.
    expect((await call(`${t.url}/somewhere`, { method: "POST", body: {} })).status).toBe(404);
  });

  it("says the dashboard is not built when its files are missing (and the API still works)", async () => {
    const res = await fetch(`${unbuilt.url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("not built");
    expect((await call(`${unbuilt.url}/healthz`)).status).toBe(200);
  });
});

describe.skipIf(skipBrowser)("web dashboard in Chromium", () => {
  let f: ChatFixture;
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let budget: any;
  let summary: any;

  beforeAll(async () => {
    buildDashboard();
    f = await startChatFixture("pglite", { LLMG_PROVIDER_MAX_RETRIES: "0" });
    const limit = await call(`${f.t.url}/api/budget`, {
      method: "PUT",
      key: f.user.key,
      body: { limit_usd: "5" },
    });
    expect(limit.status).toBe(200);

    // Spend on two providers, and one failed call for the error rate.
    for (const [provider, model, tags] of [
      ["openai", "gpt-4o-mini", ["feature:search"]],
      ["openai", "gpt-4o-mini", ["feature:search", "team:web"]],
      ["anthropic", "claude-sonnet-4-5", []],
    ] as const) {
      f.fakes[provider].enqueue({ type: "success", content: "Hi", usage: { prompt: 1200, completion: 300 } });
      const res = await call(`${f.t.url}/api/chat/completions`, {
        key: f.user.key,
        body: { provider, model, messages: [{ role: "user", content: "Hello" }], metadata: { tags } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    f.fakes.mistral.enqueue({ type: "error", status: 500 });
    const failed = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: {
        provider: "mistral",
        model: "mistral-small-latest",
        messages: [{ role: "user", content: "Hi" }],
      },
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await rollUp(f.t.gateway.services.db);

    budget = (await call(`${f.t.url}/api/budget`, { key: f.user.key })).body.data;
    summary = (await call(`${f.t.url}/api/usage/summary`, { key: f.user.key })).body.data;
    expect(Number(budget.spent_usd_exact)).toBeGreaterThan(0);

    session = await openBrowser(f.t.url);
    ({ context, page } = session);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await f?.close();
  });

  it("shows the sign-in page to a visitor without a session", async () => {
    await page.goto(`${f.t.url}/`);
    await page.getByRole("heading", { name: "Sign in to llmg" }).waitFor();
    // The key field is labelled, and focused: paste and press Enter.
    const focused = await page.evaluate("document.activeElement?.getAttribute('name')");
    expect(focused).toBe("key");
  });

  it("shows the API's error for a wrong key and stays on the sign-in page", async () => {
    await page.getByLabel("API key").fill("llmg_this_key_does_not_exist_0000000000");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/invalid or revoked api key/i);
    expect(await alert.textContent()).toMatch(/Request id: \S+/);
    await page.getByRole("heading", { name: "Sign in to llmg" }).waitFor();
  });

  it("signs in with the key (Enter) and shows the month's spend exactly as GET /api/budget", async () => {
    await page.getByLabel("API key").fill(f.user.key);
    await page.getByLabel("API key").press("Enter");
    await page.getByRole("heading", { name: "Overview" }).waitFor();

    const spent = page.getByTestId("spent");
    await spent.waitFor();
    expect(await spent.textContent()).toBe(`$${budget.spent_usd_exact}`);
    // The projection moves with the clock (the time left in the month), so only its form is fixed.
    expect(await page.getByTestId("projected").textContent()).toMatch(/^\$\d+(\.\d+)?$/);
    const meter = page.getByRole("meter", { name: "Budget used" });
    expect(Number(await meter.getAttribute("aria-valuenow"))).toBeCloseTo(budget.percent_used, 1);

    const requests = page.getByTestId("tile-Requests");
    await requests.waitFor();
    expect(await requests.textContent()).toBe(String(summary.totals.requests));
    expect(await page.getByTestId("tile-Tokens").textContent()).toBe(
      summary.totals.total_tokens.toLocaleString("en-US"),
    );
    expect(await page.getByTestId("tile-Error rate").textContent()).toBe(
      `${(summary.performance.error_rate * 100).toFixed(1)} %`,
    );
  });

  it("draws the cost chart as SVG and lists the top models with their exact cost", async () => {
    await page.locator("figure.chart svg.bar-chart rect.bar-segment").first().waitFor();
    // A screenshot for whoever reads the run (not committed): LLMG_TEST_ARTIFACTS or the temp folder.
    await screenshot(page, "dashboard-overview");
    expect(await page.locator("figure.chart .chart-legend li").allTextContents()).toEqual(
      expect.arrayContaining(["openai", "anthropic"]),
    );
    // One segment per day and provider with spend, each titled with the API's exact figure for it.
    const chart = (
      await call(`${f.t.url}/api/usage/charts?type=cost&granularity=day&group_by=provider`, {
        key: f.user.key,
      })
    ).body.data;
    const points = chart.series.flatMap((s: any) =>
      s.data.flatMap((value: number, i: number) =>
        value > 0 ? [{ provider: s.name, exact: s.data_exact[i] as string, i }] : [],
      ),
    );
    expect(points.length).toBeGreaterThan(0);
    const titles = await page.locator("figure.chart rect.bar-segment title").allTextContents();
    expect(titles).toHaveLength(points.length);
    for (const point of points) {
      const day = new Date(chart.labels[point.i]).toLocaleDateString("en-US", {
        month: "short",
        day: "numeric",
        timeZone: "UTC",
      });
      expect(titles).toContain(`${day} · ${point.provider}: $${point.exact}`);
    }

    const top = [...summary.by_model].sort((a: any, b: any) => b.cost_usd - a.cost_usd)[0];
    const row = page.getByRole("row", { name: new RegExp(`${top.provider}/${top.model}`) });
    await row.waitFor();
    expect(await row.getByRole("cell").first().textContent()).toBe(`$${top.cost_usd_exact}`);
  });

  it("has no serious or critical accessibility violation (axe-core, WCAG 2.1 A/AA)", async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("moves between pages with the menu, marking the current one", async () => {
    const nav = page.getByRole("navigation", { name: "Pages" });
    await nav.getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { level: 1, name: "Usage" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/usage");
    expect(await nav.getByRole("link", { name: "Usage" }).getAttribute("aria-current")).toBe("page");
    expect(await page.title()).toBe("Usage · llmg");
    await page.goBack();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.goto(`${f.t.url}/no/such/page`);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await nav.getByRole("link", { name: "Overview" }).click();
    await page.getByTestId("spent").waitFor();
  });

  it("shows spend by tag, then by model, exactly as GET /api/usage/summary?group_by=…, the view in the URL", async () => {
    const rowsOf = async () =>
      (await page.getByTestId("spend-groups").locator("tbody tr").all()).map(async (row) =>
        (await row.locator("th, td").allTextContents()).slice(0, 2),
      );
    const expected = (groups: any[], none: string) =>
      groups.map((g) => [g.group ?? none, `$${g.cost_usd_exact}`]);

    await page.goto(`${f.t.url}/spend?by=tag`);
    const byTag = (await call(`${f.t.url}/api/usage/summary?group_by=tag&limit=50`, { key: f.user.key })).body
      .data;
    expect(byTag.groups.map((g: any) => g.group)).toEqual(
      expect.arrayContaining(["feature:search", "team:web", null]),
    );
    await page.getByTestId("spend-groups").waitFor();
    expect(await Promise.all(await rowsOf())).toEqual(expected(byTag.groups, "(untagged)"));
    expect(await page.getByTestId("spend-total").textContent()).toBe(`$${byTag.totals.cost_usd_exact}`);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel("Group by").selectOption("model");
    await page.waitForURL((url) => url.pathname === "/spend" && url.searchParams.get("by") === "model");
    const byModel = (await call(`${f.t.url}/api/usage/summary?group_by=model&limit=50`, { key: f.user.key }))
      .body.data;
    await page.getByRole("row", { name: /openai\/gpt-4o-mini/ }).waitFor();
    expect(await Promise.all(await rowsOf())).toEqual(expected(byModel.groups, "—"));
    // The view survives a reload: it is all in the URL.
    await page.reload();
    await page.getByRole("row", { name: /openai\/gpt-4o-mini/ }).waitFor();
    expect(await page.getByLabel("Group by").inputValue()).toBe("model");
    await screenshot(page, "dashboard-spend");
    await page.goto(`${f.t.url}/`);
    await page.getByTestId("spent").waitFor();
  });

  it("fits a phone's width and follows the system's dark setting", async () => {
    const phone = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
      // The session cookie of the signed-in desktop context: the same user on a phone.
      storageState: await context.storageState(),
    });
    try {
      const small = await phone.newPage();
      await small.goto(`${f.t.url}/`);
      await small.getByTestId("spent").waitFor();
      await small.locator("figure.chart svg.bar-chart").first().waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      const background = (await small.evaluate(
        "getComputedStyle(document.documentElement).backgroundColor",
      )) as string;
      // The dark theme's background (#0f1115), not the light one.
      expect(background).toBe("rgb(15, 17, 21)");
      expect(await seriousAxeViolations(small)).toEqual([]);
      await screenshot(small, "dashboard-overview-phone-dark");
    } finally {
      await phone.close();
    }
  });

  it("shows another user only that user's own month, in a browser of its own", async () => {
    const other = await createUserWithKey(f.t);
    const theirs = (await call(`${f.t.url}/api/budget`, { key: other.key })).body.data;
    expect(theirs.spent_usd_exact).not.toBe(budget.spent_usd_exact);
    const second = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const otherPage = await second.newPage();
      await signIn(otherPage, f.t.url, other.key);
      expect(await otherPage.getByTestId("spent").textContent()).toBe(`$${theirs.spent_usd_exact}`);
      expect(await otherPage.getByTestId("tile-Requests").textContent()).toBe("0");
      await otherPage.getByText("No calls this month yet.").waitFor();
      expect(await otherPage.getByText(other.user.email).count()).toBe(1);
      expect(await otherPage.getByText(f.user.user.email).count()).toBe(0);
    } finally {
      await second.close();
    }
  });

  it("keeps the key out of the page's storage and the session cookie out of its reach", async () => {
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const stored = (await page.evaluate(`({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
    })`)) as { local: string; session: string; cookie: string };
    expect(stored.local).not.toContain(f.user.key);
    expect(stored.session).not.toContain(f.user.key);
    expect(stored.cookie).not.toContain("llmg_session");
    expect(await page.getByLabel("API key").count()).toBe(0);
  });

  it("stays signed in across a reload (the cookie), then signs out back to the sign-in page", async () => {
    await page.reload();
    await page.getByTestId("spent").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to llmg" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to llmg" }).waitFor();
    // Any page's link, signed out, shows the sign-in page and none of the page's data.
    await page.goto(`${f.t.url}/requests`);
    await page.getByRole("heading", { name: "Sign in to llmg" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Pages" }).count()).toBe(0);
    const cookies = await context.cookies(f.t.url);
    expect(cookies.find((c) => c.name === "llmg_session")).toBeUndefined();
  });

  it("sent nothing anywhere but the gateway", () => {
    expect(session.outside).toEqual([]);
  });
});
