import { addDecimals } from "@llmg/core";
import { sql } from "kysely";
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
import { call, createUserWithKey } from "./harness";
import { canonical, generate, rollUp } from "./usage-fixture";

/**
 * The Usage, Requests and Budget history views in Chromium on PostgreSQL (the other dashboard tests use
 * PGlite), against spend made by real chat calls to the fake providers. Every figure the pages
 * show is compared with what the REST endpoint answers for the same view.
 */

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

// Written here rather than imported from the page, so a formatting slip there shows up. Costs
// are not here: the page shows the API's exact string itself.
function expectedFigure(type: string, value: number): string {
  if (type === "latency") return `${Math.round(value).toLocaleString("en-US")} ms`;
  return Math.round(value).toLocaleString("en-US");
}

const CALLS = [
  { provider: "openai", model: "gpt-4o-mini", prompt: 1200, completion: 300 },
  { provider: "openai", model: "gpt-4o-mini", prompt: 800, completion: 150 },
  { provider: "openai", model: "gpt-4o", prompt: 2000, completion: 500 },
  { provider: "anthropic", model: "claude-sonnet-4-5", prompt: 1500, completion: 400 },
  { provider: "google", model: "gemini-2.5-flash", prompt: 900, completion: 200 },
  { provider: "deepseek", model: "deepseek-chat", prompt: 3000, completion: 700 },
] as const;

describe.skipIf(skipBrowser)("Usage, Requests and Budget history pages in Chromium (PostgreSQL)", () => {
  let f: ChatFixture;
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let failedId: string;
  let taggedId: string;
  const to = isoDay(Date.now());
  const from = isoDay(Date.now() - 6 * DAY_MS);

  const api = (path: string, query: Record<string, string | number> = {}, key = f.user.key) => {
    const qs = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    return call(`${f.t.url}/api/${path}${qs ? `?${qs}` : ""}`, { key });
  };

  beforeAll(async () => {
    buildDashboard();
    f = await startChatFixture("postgres", { LLMG_PROVIDER_MAX_RETRIES: "0" });
    for (const [i, c] of CALLS.entries()) {
      f.fakes[c.provider].enqueue({
        type: "success",
        content: "Hi",
        usage: { prompt: c.prompt, completion: c.completion },
      });
      const res = await call(`${f.t.url}/api/chat/completions`, {
        key: f.user.key,
        // The first call carries tags and metadata, for the detail panel.
        headers: i === 0 ? { "x-llmg-tags": "feature:search", "x-llmg-metadata": '{"job":"nightly"}' } : {},
        body: { provider: c.provider, model: c.model, messages: [{ role: "user", content: "Hello" }] },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      if (i === 0) taggedId = res.headers.get("x-llmg-request-id") ?? "";
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

    const all = await api("usage/requests", { per_page: 100 });
    expect(all.body.pagination.total).toBe(CALLS.length + 1);
    failedId = all.body.data.find((r: any) => r.status === "error").id;
    expect(taggedId).not.toBe("");

    session = await openBrowser(f.t.url);
    ({ context, page } = session);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await f?.close();
  }, 60_000);

  /**
   * Every series' figure under the chart equals the API's: a cost series' exact sum as sent
   * (string equality), the other series summed (latency: its peak).
   */
  async function expectChartFigures(query: Record<string, string>) {
    for (const type of ["cost", "requests", "tokens", "latency"]) {
      const groupBy = type === "latency" ? "none" : (query.split ?? "provider");
      const { split: _split, ...rest } = query;
      const res = await api("usage/charts", {
        type,
        granularity: "day",
        group_by: groupBy,
        from,
        to,
        ...rest,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const card = page.getByTestId(`chart-${type}`);
      await card.locator("figure.chart svg.recharts-surface").first().waitFor();
      const shown = await card
        .locator("table tbody tr")
        .evaluateAll((rows) =>
          rows.map((r) => [r.querySelector("th")?.textContent, r.querySelector("td")?.textContent]),
        );
      const expected = res.body.data.series.map((s: any) => [
        s.label ?? s.name,
        type === "cost"
          ? `$${s.total_exact}`
          : expectedFigure(
              type,
              type === "latency" ? Math.max(0, ...s.data) : s.data.reduce((a: number, b: number) => a + b, 0),
            ),
      ]);
      expect(shown, type).toEqual(expected);
    }
  }

  it("shows each chart's figures exactly as GET /api/usage/charts for the same range", async () => {
    await signIn(page, f.t.url, f.user.key, `/usage?range=custom&from=${from}&to=${to}`);
    await page.getByRole("heading", { level: 1, name: "Usage" }).waitFor();
    expect(await page.getByLabel("Range", { exact: true }).inputValue()).toBe("custom");
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe(from);
    await expectChartFigures({});
    // And those exact sums are the calls' own exact costs added up, provider by provider.
    const calls = (await api("usage/requests", { per_page: 100 })).body.data as any[];
    const cost = await api("usage/charts", { type: "cost", group_by: "provider", from, to });
    for (const s of cost.body.data.series) {
      const own = calls.filter((r) => r.provider === s.name).map((r) => r.total_cost_exact as string);
      expect(s.total_exact, s.name).toBe(addDecimals(...own));
    }
    // Cost is split by provider: the five used, each its own series.
    const names = await page.getByTestId("chart-cost").locator("tbody th").allTextContents();
    expect(names.sort()).toEqual(["anthropic", "deepseek", "google", "mistral", "openai"].sort());
    await screenshot(page, "usage");
  }, 60_000);

  it("keeps filters in the URL: a change updates it and a reload shows the same view", async () => {
    await page.getByLabel("Provider", { exact: true }).selectOption("openai");
    await page.waitForURL((url) => url.searchParams.get("provider") === "openai");
    await page.getByLabel("Split by", { exact: true }).selectOption("model");
    await page.waitForURL((url) => url.searchParams.get("split") === "model");
    // The model series of openai only.
    await page.getByTestId("chart-cost").locator("tbody th", { hasText: "openai/gpt-4o" }).first().waitFor();
    await expect
      .poll(() => page.getByTestId("chart-cost").locator("tbody th").allTextContents())
      .toEqual(expect.arrayContaining(["openai/gpt-4o-mini", "openai/gpt-4o"]));
    const before = page.url();
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Usage" }).waitFor();
    expect(page.url()).toBe(before);
    expect(await page.getByLabel("Provider", { exact: true }).inputValue()).toBe("openai");
    expect(await page.getByLabel("Split by", { exact: true }).inputValue()).toBe("model");
    expect(await page.getByLabel("To", { exact: true }).inputValue()).toBe(to);
    await expectChartFigures({ split: "model", provider: "openai" });
  }, 60_000);

  it("has no serious accessibility violation and fits a phone's width", async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
    const phone = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    try {
      const small = await phone.newPage();
      await small.goto(`${f.t.url}/usage?range=90d`);
      await small.getByTestId("chart-cost").locator("figure.chart svg.recharts-surface").first().waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      await screenshot(small, "usage-phone");
    } finally {
      await phone.close();
    }
  }, 60_000);

  it("lists the calls with the cost and tokens of GET /api/usage/requests", async () => {
    await page.goto(`${f.t.url}/requests`);
    await page.getByRole("heading", { level: 1, name: "Requests" }).waitFor();
    const res = await api("usage/requests");
    expect(res.body.data).toHaveLength(CALLS.length + 1);
    await page.getByTestId(`request-${res.body.data[0].id}`).waitFor();
    const shown = await page
      .locator("table.requests-table tbody tr")
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute("data-testid"),
          r.querySelector('[data-testid="cost"]')?.textContent,
          r.querySelector('[data-testid="tokens"]')?.textContent,
        ]),
      );
    expect(shown).toEqual(
      res.body.data.map((r: any) => [
        `request-${r.id}`,
        `$${r.total_cost_exact}`,
        r.total_tokens.toLocaleString("en-US"),
      ]),
    );
    expect(await page.getByTestId("page-status").textContent()).toContain(`${CALLS.length + 1} requests`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "requests");
  }, 60_000);

  it("narrows the list with a filter and sorts by a column, both in the URL", async () => {
    await page.getByLabel("Provider", { exact: true }).selectOption("openai");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((url) => url.searchParams.get("provider") === "openai");
    const res = await api("usage/requests", { provider: "openai" });
    expect(res.body.data).toHaveLength(3);
    await expect.poll(() => page.locator("table.requests-table tbody tr").count()).toBe(3);

    await page.getByRole("link", { name: /^Cost/ }).click();
    await page.waitForURL((url) => url.searchParams.get("sort") === "cost");
    const byCost = await api("usage/requests", { provider: "openai", sort: "cost" });
    // The old rows stay on screen while the new ones load: wait for the whole new order.
    await expect
      .poll(() =>
        page
          .locator("table.requests-table tbody tr")
          .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid"))),
      )
      .toEqual(byCost.body.data.map((r: any) => `request-${r.id}`));
    await page.reload();
    await page.getByTestId(`request-${byCost.body.data[0].id}`).waitFor();
    expect(await page.getByLabel("Provider", { exact: true }).inputValue()).toBe("openai");
  }, 60_000);

  it("pages by number and by the API's cursor", async () => {
    await page.goto(`${f.t.url}/requests`);
    await page.getByLabel("Rows per page").selectOption("5");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((url) => url.searchParams.get("per_page") === "5");
    const first = await api("usage/requests", { per_page: 5 });
    await expect.poll(() => page.getByTestId("page-status").textContent()).toContain("Page 1 of 2");
    await page.getByTestId(`request-${first.body.data[4].id}`).waitFor();
    expect(await page.locator("table.requests-table tbody tr").count()).toBe(5);

    await page.getByRole("link", { name: "Next" }).click();
    await page.waitForURL((url) => url.searchParams.get("cursor") === first.body.pagination.next_cursor);
    const second = await api("usage/requests", { per_page: 5, cursor: first.body.pagination.next_cursor });
    expect(second.body.data).toHaveLength(CALLS.length + 1 - 5);
    await page.getByTestId(`request-${second.body.data[0].id}`).waitFor();
    expect(await page.locator("table.requests-table tbody tr").count()).toBe(second.body.data.length);
    expect(await page.getByTestId("page-status").textContent()).toContain("Page 2 of 2");

    await page.getByRole("link", { name: "Page 1" }).click();
    await page.getByTestId(`request-${first.body.data[0].id}`).waitFor();
    await page.getByRole("link", { name: "Page 2" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2" && !url.searchParams.has("cursor"));
    await page.getByTestId(`request-${second.body.data[0].id}`).waitFor();
  }, 60_000);

  it("opens a call's detail with the exact cost breakdown of GET /api/usage/requests/{id}", async () => {
    await page.goto(`${f.t.url}/requests`);
    await page.getByTestId(`request-${taggedId}`).getByRole("link").click();
    await page.waitForURL((url) => url.pathname === `/requests/${taggedId}`);
    const detail = (await api(`usage/requests/${taggedId}`)).body.data;
    await page.getByTestId("cost-total").waitFor();
    expect(await page.getByTestId("cost-prompt").textContent()).toBe(`$${detail.prompt_cost_exact}`);
    expect(await page.getByTestId("cost-completion").textContent()).toBe(`$${detail.completion_cost_exact}`);
    expect(await page.getByTestId("cost-total").textContent()).toBe(`$${detail.total_cost_exact}`);
    expect(await page.getByTestId("tokens-prompt").textContent()).toBe(
      detail.prompt_tokens.toLocaleString("en-US"),
    );
    expect(await page.getByTestId("tokens-completion").textContent()).toBe(
      detail.completion_tokens.toLocaleString("en-US"),
    );
    expect(await page.getByTestId("detail-latency").textContent()).toBe(
      `${detail.latency_ms.toLocaleString("en-US")} ms`,
    );
    expect(detail.tags).toEqual(["feature:search"]);
    expect(await page.getByText("feature:search").count()).toBe(1);
    expect(await page.getByTestId("detail-metadata").textContent()).toContain('"job": "nightly"');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "request-detail");

    // A tag leads to the list of the calls carrying it.
    await page.getByRole("link", { name: "Requests tagged feature:search" }).click();
    await page.waitForURL(
      (url) => url.pathname === "/requests" && url.searchParams.get("tag") === "feature:search",
    );
    const tagged = await api("usage/requests", { tag: "feature:search" });
    expect(tagged.body.data.map((r: any) => r.id)).toEqual([taggedId]);
    await expect
      .poll(() =>
        page
          .locator("table.requests-table tbody tr")
          .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid"))),
      )
      .toEqual([`request-${taggedId}`]);
    expect(await page.getByLabel("Tag", { exact: true }).inputValue()).toBe("feature:search");

    await page.goto(`${f.t.url}/requests/${failedId}`);
    const failed = (await api(`usage/requests/${failedId}`)).body.data;
    await page.getByTestId("detail-error").waitFor();
    expect(await page.getByTestId("detail-error").textContent()).toContain(failed.error_code);
    expect(await page.getByTestId("cost-total").textContent()).toBe(`$${failed.total_cost_exact}`);
    await page.getByRole("link", { name: /Back to requests/ }).click();
    await page.getByRole("heading", { level: 1, name: "Requests" }).waitFor();

    const phone = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    try {
      const small = await phone.newPage();
      await small.goto(`${f.t.url}/requests`);
      await small.getByTestId(`request-${taggedId}`).waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      await screenshot(small, "requests-phone");
      await small.goto(`${f.t.url}/requests/${taggedId}`);
      await small.getByTestId("cost-total").waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      await screenshot(small, "request-detail-phone");
    } finally {
      await phone.close();
    }
  }, 60_000);

  it("charts the budget history with the exact figures of GET /api/budget/history", async () => {
    // A user with spend in several past months who set a limit this month: the months before
    // had none in force, this one has it.
    const owner = await createUserWithKey(f.t);
    const now = Date.now();
    const monthStart = (back: number) => {
      const d = new Date(now);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1));
    };
    await generate(f.t.gateway.services.db, {
      userId: owner.user.id,
      count: 400,
      from: monthStart(4),
      to: monthStart(1),
      seed: 31,
    });
    await generate(f.t.gateway.services.db, {
      userId: owner.user.id,
      count: 20,
      from: monthStart(0),
      to: new Date(Math.max(monthStart(0).getTime() + 1, now - 60_000)),
      seed: 32,
      idPrefix: "hist",
    });
    const limit = await call(`${f.t.url}/api/budget`, {
      key: owner.key,
      method: "PUT",
      body: { limit_usd: "12.345" },
    });
    expect(limit.status, JSON.stringify(limit.body)).toBe(200);

    const theirs = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await theirs.newPage();
      await signIn(p, f.t.url, owner.key, "/budget");
      const card = p.getByTestId("budget-history");
      await card.locator("figure.chart svg.recharts-surface").first().waitFor();
      expect(await card.locator("figure.chart").getAttribute("aria-label")).toBe(
        "Spend per month over the last 12 months, with the monthly limit in force",
      );
      const res = await api("budget/history", { months: 12, granularity: "month" }, owner.key);
      expect(res.status).toBe(200);
      const points = res.body.data.points as any[];
      expect(points).toHaveLength(12);
      // Spend in the four months generated; no limit before this month.
      expect(points.filter((q) => q.requests > 0)).toHaveLength(4);
      expect(points.map((q) => q.limit_usd_exact)).toEqual([...new Array(11).fill(null), "12.345"]);
      const shown = await card
        .locator("table tbody tr")
        .evaluateAll((rows) =>
          rows.map((r) => [
            r.getAttribute("data-testid"),
            r.querySelector("th")?.textContent,
            ...["spent", "requests", "limit", "percent"].map(
              (field) => r.querySelector(`[data-field="${field}"]`)?.textContent,
            ),
          ]),
        );
      const monthName = new Intl.DateTimeFormat("en-US", {
        month: "short",
        year: "numeric",
        timeZone: "UTC",
      });
      expect(shown).toEqual(
        [...points]
          .reverse()
          .map((q) => [
            `history-${q.period}`,
            monthName.format(new Date(q.start)),
            `$${q.spent_usd_exact}`,
            q.requests.toLocaleString("en-US"),
            q.limit_usd_exact === null ? "no limit" : `$${q.limit_usd_exact}`,
            q.percent_of_limit === null ? "—" : `${q.percent_of_limit.toFixed(1)} %`,
          ]),
      );
      // The spend shown is the calls' own: the rows of each month summed exactly.
      for (const q of points.filter((x) => x.requests > 0)) {
        const { rows } = await sql<{ spent: string }>`
          select sum(total_cost)::text as spent from requests
          where user_id = ${owner.user.id} and to_char(created_at at time zone 'UTC', 'YYYY-MM') = ${q.period}`.execute(
          f.t.gateway.services.db,
        );
        expect(q.spent_usd_exact, q.period).toBe(canonical(rows[0]?.spent ?? "0"));
      }
      expect(await seriousAxeViolations(p)).toEqual([]);
      await screenshot(p, "budget-history");
      // A phone in dark mode, opened at its own width as a phone would (resizing a desktop page
      // left the page wider than the screen for a moment while the chart re-measured, which
      // failed in CI twice): the chart's legend and the table stay legible and inside the width.
      const phone = await session.browser.newContext({
        viewport: { width: 390, height: 844 },
        colorScheme: "dark",
        storageState: await theirs.storageState(),
      });
      try {
        const small = await phone.newPage();
        await small.goto(`${f.t.url}/budget`);
        await small
          .getByTestId("budget-history")
          .locator("figure.chart svg.recharts-surface")
          .first()
          .waitFor();
        await small.getByTestId("budget-history").locator("table tbody tr").first().waitFor();
        expect(await overflowsSideways(small)).toBe(false);
        expect(await seriousAxeViolations(small)).toEqual([]);
        await screenshot(small, "budget-history-phone");
      } finally {
        await phone.close();
      }
    } finally {
      await theirs.close();
    }
  }, 60_000);

  it("shows another user none of these calls, and their detail as not found", async () => {
    const other = await createUserWithKey(f.t);
    const theirs = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await theirs.newPage();
      await signIn(p, f.t.url, other.key, "/requests");
      await p.getByText("No requests yet.").waitFor();
      expect(await p.locator("table.requests-table").count()).toBe(0);

      const api404 = await api(`usage/requests/${taggedId}`, {}, other.key);
      expect(api404.status).toBe(404);
      await p.goto(`${f.t.url}/requests/${taggedId}`);
      const alert = p.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toContain(api404.body.message);
      expect(await p.getByTestId("cost-total").count()).toBe(0);
      // Their budget history: no calls in the year, said so instead of an empty chart.
      await p.goto(`${f.t.url}/budget`);
      await p.getByTestId("budget-history").getByText("No calls in the last 12 months.").waitFor();
      expect(await p.getByTestId("budget-history").locator("figure.chart").count()).toBe(0);
    } finally {
      await theirs.close();
    }
  }, 60_000);

  it("sent nothing anywhere but the gateway", () => {
    expect(session.outside).toEqual([]);
  });
});
