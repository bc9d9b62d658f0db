import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { call } from "./harness";
import { rollUp } from "./usage-fixture";

// The page's own global, used in functions that run in the browser (this file compiles
// without the DOM's types).
declare const document: any;

/**
 * The Playground and Models pages in Chromium against the real gateway: an answer streamed
 * from a fake provider through the session cookie (no key in the page), its tokens and cost
 * compared with the request history, the month's spend with GET /api/budget, a budget refusal,
 * and the catalog, calculator and comparison compared with the REST answers for the same input.
 */

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? "";

/** Waits until the element's text is exactly `expected` (the page refetches on its own). */
async function waitForText(page: Page, testId: string, expected: string): Promise<void> {
  await page.waitForFunction(
    ([id, value]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === value,
    [testId, expected] as const,
    { timeout: 10_000 },
  );
}

describe.skipIf(skipBrowser)("Playground and Models pages in Chromium", () => {
  let f: ChatFixture;
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  const api = (path: string) => call(`${f.t.url}/api${path}`, { key: f.user.key });
  /** The first streamed answer's usage row, found again on the Requests and Usage pages. */
  let firstCall: any;
  // An operator's model with no price (both rates 0), which the pages must flag, not show as $0.
  const overrides = mkdtempSync(join(tmpdir(), "llmg-web-pricing-"));

  beforeAll(async () => {
    buildDashboard();
    const pricingFile = join(overrides, "overrides.json");
    writeFileSync(
      pricingFile,
      JSON.stringify({
        "mistral/free-preview": {
          input_cost_per_token: 0,
          output_cost_per_token: 0,
          max_input_tokens: 32000,
        },
      }),
    );
    f = await startChatFixture("pglite", {
      LLMG_PROVIDER_MAX_RETRIES: "0",
      // Stop is tried on a slow stream: the provider timeout must outlast its pauses.
      LLMG_PROVIDER_TIMEOUT_MS: "20000",
      LLMG_PRICING_FILE: pricingFile,
    });
    // One provider without a credential, for the page to say so.
    const credentials = await api("/credentials");
    const deepseek = credentials.body.data.find((c: any) => c.provider === "deepseek");
    const removed = await call(`${f.t.url}/api/credentials/${deepseek.id}`, {
      method: "DELETE",
      key: f.user.key,
    });
    expect(removed.status).toBe(200);
    session = await openBrowser(f.t.url);
    ({ context, page } = session);
    await signIn(page, f.t.url, f.user.key, "/playground");
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await f?.close();
    rmSync(overrides, { recursive: true, force: true });
  });

  it("streams an answer through the session cookie, with the tokens and exactly the cost the history lists", async () => {
    await page.getByRole("heading", { level: 1, name: "Playground" }).waitFor();
    const before = (await api("/budget")).body.data;
    await waitForText(page, "month-spent", `$${before.spent_usd_exact}`);

    await page.getByLabel("Model", { exact: true }).selectOption("openai/gpt-4o-mini");
    await page.getByLabel("System prompt (optional)").fill("Answer briefly.");
    await page.getByLabel("Message of turn 1").fill("Say hello");
    await page.getByLabel("Temperature (optional, 0–2)").fill("0.5");
    f.fakes.openai.enqueue({
      type: "success",
      content: "Hello there, friend",
      usage: { prompt: 1200, completion: 300 },
    });
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByTestId("answer-cost").waitFor();

    expect(await text(page, "answer")).toBe("Hello there, friend");
    expect(await text(page, "answer-prompt-tokens")).toBe("1,200");
    expect(await text(page, "answer-completion-tokens")).toBe("300");
    expect(await text(page, "answer-total-tokens")).toBe("1,500");

    // The call the page made is the history's newest row: same tokens, same exact cost.
    const history = await api("/usage/requests?per_page=1");
    const row = history.body.data[0];
    firstCall = row;
    expect(row).toMatchObject({ provider: "openai", model: "gpt-4o-mini", stream: true, status: "success" });
    expect(row.prompt_tokens).toBe(1200);
    expect(row.completion_tokens).toBe(300);
    expect(await text(page, "answer-cost")).toBe(`$${row.total_cost_exact}`);
    // The system prompt and temperature went to the provider with the conversation.
    const sent = f.fakes.openai.requests.at(-1)?.body as any;
    expect(sent.messages).toEqual([
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "Say hello" },
    ]);
    expect(sent.temperature).toBe(0.5);

    // The month's spend is refetched after the answer and equals GET /api/budget.
    const after = (await api("/budget")).body.data;
    expect(after.spent_usd_exact).not.toBe(before.spent_usd_exact);
    await waitForText(page, "month-spent", `$${after.spent_usd_exact}`);
    expect(
      await page
        .getByRole("row", { name: /gpt-4o-mini/ })
        .getByRole("cell")
        .last()
        .textContent(),
    ).toBe(`$${row.total_cost_exact}`);
    await screenshot(page, "playground-answer");
  });

  it("keeps the answer as an assistant turn and sends the whole conversation next", async () => {
    await page.getByRole("button", { name: "Add the answer to the conversation" }).click();
    expect(await page.getByLabel("Role of turn 2").inputValue()).toBe("assistant");
    expect(await page.getByLabel("Message of turn 2").inputValue()).toBe("Hello there, friend");
    await page.getByLabel("Message of turn 3").fill("And again");
    f.fakes.openai.enqueue({ type: "success", content: "Again", usage: { prompt: 40, completion: 2 } });
    await page.getByLabel("Message of turn 3").press("Control+Enter");
    await waitForText(page, "answer-total-tokens", "42");
    const sent = f.fakes.openai.requests.at(-1)?.body as any;
    expect(sent.messages.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("stops a stream with Stop and keeps what arrived", async () => {
    f.fakes.openai.enqueue({
      type: "stream",
      chunks: ["First ", "second ", "third ", "fourth"],
      chunkDelayMs: 2000,
      usage: { prompt: 10, completion: 4 },
    });
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="answer"]')?.textContent?.startsWith("First") === true,
      undefined,
      { timeout: 10_000 },
    );
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByText("Stopped.", { exact: false }).waitFor();
    expect(await text(page, "answer")).not.toContain("fourth");
    expect(await page.getByRole("button", { name: "Send" }).isEnabled()).toBe(true);
  });

  it("shows a provider failure mid-stream with the partial answer, the envelope's message and the request id", async () => {
    await page.getByLabel("Message of turn 1").fill("Count to three");
    f.fakes.openai.enqueue({ type: "reset", chunks: ["one ", "two ", "three"], afterChunks: 2 });
    await page.getByRole("button", { name: "Send" }).click();
    const alert = page.getByTestId("answer-error");
    await alert.waitFor();
    const row = (await api("/usage/requests?per_page=1")).body.data[0];
    expect(row.status).not.toBe("success");
    const shown = (await alert.textContent()) ?? "";
    expect(shown).toContain(`Request id: ${row.id}`);
    expect(shown).toContain("provider_error");
    expect(await text(page, "answer")).toBe("one two ");
  });

  it("says when the user has no credential for the chosen model's provider", async () => {
    const model = page.getByLabel("Model", { exact: true });
    const group = await page.locator('optgroup[label*="DeepSeek"]').getAttribute("label");
    expect(group).toMatch(/no credential/);
    const first = await page.locator('optgroup[label*="DeepSeek"] option').first().getAttribute("value");
    await model.selectOption(first ?? "");
    expect(await text(page, "no-credential")).toMatch(/no DeepSeek credential/);
    await model.selectOption("openai/gpt-4o-mini");
    expect(await page.getByTestId("no-credential").count()).toBe(0);
  });

  it("has the cookie alone refused on the chat POST: the page's calls carry the CSRF token", async () => {
    const calls = f.fakes.openai.requests.length;
    // The same POST the page makes, from the page (so with its cookie), without x-llmg-csrf.
    const status = await page.evaluate(`fetch("/api/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "openai", model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Hi" }] }),
    }).then((res) => res.status)`);
    expect(status).toBe(403);
    expect(f.fakes.openai.requests.length).toBe(calls);
  });

  it("shows a budget refusal's message and request id (402)", async () => {
    const limit = await call(`${f.t.url}/api/budget`, {
      method: "PUT",
      key: f.user.key,
      body: { limit_usd: "0.000001", mode: "hard" },
    });
    expect(limit.status).toBe(200);
    await page.getByRole("button", { name: "Send" }).click();
    const alert = page.getByTestId("answer-error");
    await alert.waitFor();
    // The refusal is recorded under the request id the page shows.
    const row = (await api("/usage/requests?per_page=1")).body.data[0];
    expect(row).toMatchObject({ http_status: 402, error_code: "budget_exceeded" });
    const shown = (await alert.textContent()) ?? "";
    expect(shown).toMatch(/^Monthly budget exceeded: .* would pass the \$0\.000001 limit/);
    expect(shown).toContain("HTTP 402 · budget_exceeded");
    expect(shown).toContain(`Request id: ${row.id}`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "playground-refused");
  });

  it("fits a phone's width (390 px) in dark mode", async () => {
    const phone = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
      storageState: await context.storageState(),
    });
    try {
      const small = await phone.newPage();
      await small.goto(`${f.t.url}/playground`);
      await small.getByTestId("month-spent").waitFor();
      await small.getByLabel("Message of turn 1").waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      expect(await seriousAxeViolations(small)).toEqual([]);
      await screenshot(small, "playground-phone-dark");
      await small.goto(`${f.t.url}/models?provider=openai`);
      await small.getByTestId("model-count").waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      expect(await seriousAxeViolations(small)).toEqual([]);
      await screenshot(small, "models-phone-dark");
    } finally {
      await phone.close();
    }
  });

  it("lists the catalog count the API returns for the URL's filters, and writes changes to the URL", async () => {
    await page.goto(`${f.t.url}/models?provider=openai&capability=tools`);
    await page.getByRole("heading", { level: 1, name: "Models and pricing" }).waitFor();
    const tools = await api("/models?provider=openai&capability=tools");
    await waitForText(page, "model-count", String(tools.body.pagination.total));
    expect(await page.getByLabel("Provider").inputValue()).toBe("openai");
    expect(await page.getByLabel("tools", { exact: true }).isChecked()).toBe(true);

    await page.getByLabel("Search models").fill("mini");
    const mini = await api("/models?provider=openai&capability=tools&q=mini");
    expect(mini.body.pagination.total).toBeLessThan(tools.body.pagination.total);
    await waitForText(page, "model-count", String(mini.body.pagination.total));
    const url = new URL(page.url());
    expect(url.pathname).toBe("/models");
    expect(url.searchParams.get("q")).toBe("mini");
    expect(url.searchParams.get("capability")).toBe("tools");
    expect(await page.getByTestId("catalog-row").count()).toBe(mini.body.data.length);
    expect(await page.getByTestId("catalog-row").first().textContent()).toContain(mini.body.data[0].id);
    expect(await page.getByText("No price").count()).toBe(0);
  });

  /** The values of the fields with these ids, as the page shows them. */
  const values = (ids: string[]) => Promise.all(ids.map((id) => page.locator(`#${id}`).inputValue()));

  it("prices a request exactly as GET /api/pricing/calculator, and a reload of its URL shows the same", async () => {
    await page.goto(`${f.t.url}/models?q=mini`);
    await page.getByLabel("Model to price").selectOption("anthropic/claude-sonnet-4-5");
    await page.locator("#calc-input").fill("1234567");
    await page.locator("#calc-output").fill("89012");
    await page.locator("#calc-cached").fill("1000");
    await page.getByLabel("Requests").fill("3");
    await page.getByRole("button", { name: "Calculate" }).click();
    await page.getByTestId("calc-total").waitFor();
    const rest = await api(
      "/pricing/calculator?provider=anthropic&model=claude-sonnet-4-5&input_tokens=1234567&output_tokens=89012&cached_tokens=1000&requests=3",
    );
    expect(rest.status).toBe(200);
    const total = `$${rest.body.data.total.total_cost_exact}`;
    const perRequest = `$${rest.body.data.per_request.total_cost_exact}`;
    expect(await text(page, "calc-total")).toBe(total);
    expect(await text(page, "calc-per-request")).toBe(perRequest);

    // The inputs are in the URL, beside the catalog's filters, which stay.
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      q: "mini",
      price: "anthropic/claude-sonnet-4-5",
      price_in: "1234567",
      price_out: "89012",
      price_cached: "1000",
      price_requests: "3",
    });
    // A reload (or the link opened elsewhere) shows the same inputs and the same exact costs.
    await page.reload();
    await page.getByTestId("calc-total").waitFor();
    expect(await page.getByLabel("Model to price").inputValue()).toBe("anthropic/claude-sonnet-4-5");
    expect(await values(["calc-input", "calc-output", "calc-cached", "calc-requests"])).toEqual([
      "1234567",
      "89012",
      "1000",
      "3",
    ]);
    expect(await text(page, "calc-total")).toBe(total);
    expect(await text(page, "calc-per-request")).toBe(perRequest);
    expect(await page.getByLabel("Search models").inputValue()).toBe("mini");
    // A catalog filter changed afterwards keeps the calculation in the URL and on the page.
    await page.getByLabel("Search models").fill("sonnet");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("sonnet");
    expect(new URL(page.url()).searchParams.get("price_in")).toBe("1234567");
    expect(await text(page, "calc-total")).toBe(total);
  });

  it("takes a calculator link with out-of-bounds numbers as the defaults, and names an unknown model", async () => {
    await page.goto(
      `${f.t.url}/models?price=openai/gpt-4o-mini&price_in=999999999999&price_out=-1&price_cached=abc&price_requests=0`,
    );
    await page.getByTestId("calc-total").waitFor();
    expect(await values(["calc-input", "calc-output", "calc-cached", "calc-requests"])).toEqual([
      "1000",
      "500",
      "0",
      "1",
    ]);
    const rest = await api(
      "/pricing/calculator?provider=openai&model=gpt-4o-mini&input_tokens=1000&output_tokens=500&cached_tokens=0&requests=1",
    );
    expect(await text(page, "calc-total")).toBe(`$${rest.body.data.total.total_cost_exact}`);

    await page.goto(`${f.t.url}/models?price=openai/no-such-model`);
    await page.getByTestId("calc-unknown-model").waitFor();
    expect(await page.getByTestId("calc-result").count()).toBe(0);
  });

  it("compares the picked models with one bar each and the compare endpoint's exact costs, kept in the URL", async () => {
    await page.goto(`${f.t.url}/models?provider=openai&q=mini`);
    await waitForText(
      page,
      "model-count",
      String((await api("/models?provider=openai&q=mini")).body.pagination.total),
    );
    const picked = ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "mistral/mistral-small-latest"];
    for (const model of picked) {
      await page.getByLabel("Model to add").selectOption(model);
      await page.getByRole("button", { name: "Add to comparison" }).click();
    }
    // The catalog's Compare button adds too, once.
    await page.getByRole("button", { name: "Compare openai/gpt-4o-mini", exact: true }).click();
    expect(await page.getByRole("list", { name: "Models to compare" }).getByRole("listitem").count()).toBe(3);
    await page.locator("#compare-input").fill("50000");
    await page.locator("#compare-output").fill("2000");
    await page.locator("#compare-cached").fill("20000");
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await page.getByTestId("compare-result").waitFor();
    await page.locator("[data-testid=compare-result] .recharts-bar-rectangle").first().waitFor();
    expect(await page.locator("[data-testid=compare-result] .recharts-bar-rectangle").count()).toBe(3);

    const rest = await api(
      `/pricing/compare?models=${picked.join(",")}&input_tokens=50000&output_tokens=2000&cached_tokens=20000`,
    );
    expect(rest.status).toBe(200);
    const totals = rest.body.data.models.map((m: any) => `$${m.total_cost_exact}`);
    expect(await page.getByTestId("compare-total").allTextContents()).toEqual(totals);
    // Cached tokens are priced as cache reads: the workload without them costs more.
    const uncached = await api(
      `/pricing/compare?models=${picked.join(",")}&input_tokens=50000&output_tokens=2000`,
    );
    expect(uncached.body.data.models.map((m: any) => `$${m.total_cost_exact}`)).not.toEqual(totals);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "models-compare");

    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      provider: "openai",
      q: "mini",
      compare: picked.join(","),
      compare_in: "50000",
      compare_out: "2000",
      compare_cached: "20000",
    });
    await page.reload();
    await page.getByTestId("compare-result").waitFor();
    expect(
      await page.getByRole("list", { name: "Models to compare" }).getByRole("listitem").allTextContents(),
    ).toEqual(picked.map((m) => `${m}×`));
    expect(await values(["compare-input", "compare-output", "compare-cached"])).toEqual([
      "50000",
      "2000",
      "20000",
    ]);
    expect(await page.getByTestId("compare-total").allTextContents()).toEqual(totals);

    // Removing a model re-prices the rest at once and writes the list back.
    await page.getByRole("button", { name: "Remove mistral/mistral-small-latest" }).click();
    await expect.poll(() => page.getByTestId("compare-total").count()).toBe(2);
    expect(await page.getByTestId("compare-total").allTextContents()).toEqual(
      rest.body.data.models
        .filter((m: any) => m.provider !== "mistral")
        .map((m: any) => `$${m.total_cost_exact}`),
    );
    expect(new URL(page.url()).searchParams.get("compare")).toBe(picked.slice(0, 2).join(","));
  });

  it("flags a model without a price in the catalog, the calculator and the comparison, never as $0", async () => {
    const listed = await api("/models?q=free-preview");
    expect(listed.body.data.map((m: any) => m.prices.per_token.input)).toEqual(["0"]);
    await page.goto(`${f.t.url}/models?q=free-preview`);
    await waitForText(page, "model-count", "1");
    const row = page.getByTestId("catalog-row");
    expect(await row.getByText("No price").count()).toBe(1);
    expect(await row.textContent()).not.toContain("$0");

    await page.getByLabel("Model to price").selectOption("mistral/free-preview");
    await page.getByRole("button", { name: "Calculate" }).click();
    await page.getByTestId("calc-unpriced").waitFor();
    expect(await page.getByTestId("calc-total").count()).toBe(0);

    await page.getByRole("button", { name: "Compare mistral/free-preview", exact: true }).click();
    await page.getByLabel("Model to add").selectOption("openai/gpt-4o-mini");
    await page.getByRole("button", { name: "Add to comparison" }).click();
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await page.getByTestId("compare-result").waitFor();
    const unpriced = page.getByTestId("compare-row").filter({ hasText: "mistral/free-preview" });
    expect(await unpriced.getByText("No price").count()).toBe(1);
    expect(await unpriced.textContent()).not.toContain("$0");
    // Only the priced model gets a bar.
    await page.locator("[data-testid=compare-result] .recharts-bar-rectangle").first().waitFor();
    expect(await page.locator("[data-testid=compare-result] .recharts-bar-rectangle").count()).toBe(1);
  });

  it("shows the playground's call in Requests and its cost in the Usage charts, as the API does", async () => {
    expect(firstCall).toBeDefined();
    await page.goto(`${f.t.url}/requests`);
    const row = page.getByTestId(`request-${firstCall.id}`);
    await row.waitFor();
    expect(await row.getByTestId("cost").textContent()).toBe(`$${firstCall.total_cost_exact}`);

    await rollUp(f.t.gateway.services.db);
    const today = new Date().toISOString().slice(0, 10);
    const monthStart = `${today.slice(0, 8)}01`;
    const chart = (
      await api(`/usage/charts?type=cost&granularity=day&group_by=provider&from=${monthStart}&to=${today}`)
    ).body.data;
    const openai = chart.series.find((s: any) => s.name === "openai");
    const apiTotal = openai.data.reduce((a: number, b: number) => a + b, 0);
    expect(apiTotal).toBeGreaterThanOrEqual(Number(firstCall.total_cost_exact));
    await page.goto(`${f.t.url}/usage?range=month&granularity=day&split=provider`);
    const shown = page.getByTestId("total-cost-openai");
    await shown.waitFor();
    // The page shows the series' exact sum as the API sends it.
    expect(await shown.textContent()).toBe(`$${openai.total_exact}`);
  });

  it("sent nothing anywhere but the gateway", () => {
    expect(session.outside).toEqual([]);
  });
});
