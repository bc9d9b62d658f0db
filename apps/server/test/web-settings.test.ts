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
import { type ChatFixture, FAKE_KEY, startChatFixture } from "./chat-harness";
import { call } from "./harness";

// The page's own global, used in functions that run in the browser (this file compiles
// without the DOM's types).
declare const document: any;

/**
 * The dashboard's settings pages (Credentials, API keys, Budget, Account) in Chromium against
 * the real gateway on PostgreSQL, with fake providers: what each page shows is compared with
 * what the REST endpoint answers for the same thing.
 */

const BAD_KEY = "sk-wrong-key-not-the-fakes-0000";

describe.skipIf(skipBrowser)("settings pages in Chromium", () => {
  let f: ChatFixture;
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  const rest = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    call(`${f.t.url}/api${path}`, { key: f.user.key, ...init });
  /** Two teams the user belongs to, for the key forms' team choice. */
  const teams: { id: string; name: string }[] = [];

  beforeAll(async () => {
    buildDashboard();
    f = await startChatFixture("postgres", { LLMG_PROVIDER_MAX_RETRIES: "0" });
    for (const name of ["platform", "research"]) {
      const team = await rest("/admin/teams", { key: f.t.adminKey, body: { name } });
      expect(team.status).toBe(201);
      const joined = await rest(`/admin/teams/${team.body.data.id}/members`, {
        key: f.t.adminKey,
        body: { user_id: f.user.user.id },
      });
      expect(joined.status).toBe(200);
      teams.push({ id: team.body.data.id, name });
    }
    session = await openBrowser(f.t.url);
    ({ context, page } = session);
    await signIn(page, f.t.url, f.user.key, "/credentials");
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await f?.close();
  });

  /** What the page shows in each row of a table, keyed by the row's test id. */
  async function rowCells(testId: string) {
    const row = page.getByTestId(testId);
    return {
      provider: await row.locator('[data-field="provider"]').textContent(),
      name: await row.locator('[data-field="name"]').textContent(),
      hint: await row.locator('[data-field="hint"]').textContent(),
      baseUrl: await row.locator('[data-field="base_url"]').textContent(),
    };
  }

  async function expectCredentialsAsRest() {
    const list = (await rest("/credentials")).body.data as any[];
    await page.getByTestId(`credential-${list.at(-1).id}`).waitFor();
    expect(await page.locator('tr[data-testid^="credential-"]').count()).toBe(list.length);
    for (const credential of list) {
      expect(await rowCells(`credential-${credential.id}`)).toEqual({
        provider: credential.provider,
        name: `${credential.name}${credential.is_default ? "default" : ""}`,
        hint: credential.hint,
        baseUrl: credential.base_url ?? "default",
      });
    }
    return list;
  }

  async function expectNoSecretInPage(secrets: string[]) {
    const html = await page.content();
    const values = (await page
      .locator("input")
      .evaluateAll((inputs) =>
        inputs.map((input) => (input as unknown as { value: string }).value),
      )) as string[];
    for (const secret of secrets) {
      expect(html).not.toContain(secret);
      expect(values).not.toContain(secret);
    }
  }

  it("lists the credentials as GET /api/credentials does, by hint only", async () => {
    await page.getByRole("heading", { level: 1, name: "Credentials" }).waitFor();
    const list = await expectCredentialsAsRest();
    expect(list).toHaveLength(5);
    await expectNoSecretInPage([FAKE_KEY]);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("shows the API's field error next to the key field", async () => {
    const body = { provider: "openai", name: "short", api_key: "short" };
    const refused = await rest("/credentials", { body });
    expect(refused.status).toBe(400);
    const message = refused.body.details.find((d: any) => d.field === "api_key").message;

    const form = page.getByRole("form", { name: "Add a credential" });
    await form.getByLabel("Provider", { exact: true }).selectOption("openai");
    await form.getByLabel("Name").fill("short");
    await form.getByLabel("Provider API key").fill("short");
    await form.getByRole("button", { name: "Add credential" }).click();
    const keyField = form.getByLabel("Provider API key");
    await expect.poll(() => keyField.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await keyField.getAttribute("aria-describedby")) ?? "";
    const errorId = describedBy.split(" ").find((id) => id.endsWith("-error"));
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe(message);
    expect((await rest("/credentials")).body.data).toHaveLength(5);
  });

  it("adds a good and a bad credential and shows both tests' results as the API gives them", async () => {
    const form = page.getByRole("form", { name: "Add a credential" });
    for (const [name, key] of [
      ["extra", FAKE_KEY],
      ["bad", BAD_KEY],
    ] as const) {
      await form.getByLabel("Provider", { exact: true }).selectOption("openai");
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Provider API key").fill(key);
      await form.getByRole("button", { name: "Add credential" }).click();
      await form
        .getByRole("status")
        .filter({ hasText: `"${name}"` })
        .waitFor();
    }
    const list = await expectCredentialsAsRest();
    expect(list).toHaveLength(7);
    await expectNoSecretInPage([FAKE_KEY, BAD_KEY]);

    const good = list.find((c) => c.name === "extra");
    const bad = list.find((c) => c.name === "bad");
    expect(good.hint).not.toBe(FAKE_KEY);

    await page.getByRole("button", { name: "Test openai extra" }).click();
    const goodCell = page.getByTestId(`credential-${good.id}`).locator('[data-field="test"]');
    await goodCell.getByText("OK").waitFor();
    await page.getByRole("button", { name: "Test openai bad" }).click();
    const badCell = page.getByTestId(`credential-${bad.id}`).locator('[data-field="test"]');
    await badCell.getByText("Failed").waitFor();

    const goodTest = (await rest(`/credentials/${good.id}`)).body.data.last_test;
    const badTest = (await rest(`/credentials/${bad.id}`)).body.data.last_test;
    expect(goodTest.ok).toBe(true);
    expect(badTest.ok).toBe(false);
    expect(badTest.error).toBeTruthy();
    expect(await badCell.textContent()).toContain(badTest.error);
    expect(await badCell.textContent()).toContain(`HTTP ${badTest.status}`);
    expect(await goodCell.textContent()).toContain(`HTTP ${goodTest.status}`);
    await screenshot(page, "settings-credentials");
  });

  it("renames a credential and deletes one after a confirmation", async () => {
    const list = (await rest("/credentials")).body.data as any[];
    const bad = list.find((c) => c.name === "bad");
    await page.getByRole("button", { name: "Edit openai bad" }).click();
    const edit = page.getByRole("form", { name: 'Edit openai credential "bad"' });
    await edit.getByLabel("Name").fill("broken");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("button", { name: "Delete openai broken" }).click();
    expect((await rest(`/credentials/${bad.id}`)).body.data.name).toBe("broken");

    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByTestId(`credential-${bad.id}`).waitFor({ state: "detached" });
    expect((await rest(`/credentials/${bad.id}`)).status).toBe(404);
    await expectCredentialsAsRest();
  });

  let newKey: string;

  it("lists the keys as GET /api/keys does and creates one shown once, which works over REST", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "API keys" }).click();
    await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
    const before = (await rest("/keys")).body.data as any[];
    await page.getByTestId(`key-${before[0].id}`).waitFor();
    expect(await page.locator('tr[data-testid^="key-"]').count()).toBe(before.length);
    expect(await page.getByTestId(`key-${before[0].id}`).textContent()).toContain(before[0].prefix);
    expect(await seriousAxeViolations(page)).toEqual([]);

    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByLabel("Name").fill("ci");
    await form.getByLabel(/^manage/).uncheck();
    await form.getByLabel("Key budget (USD)").fill("2.5");
    await form.getByLabel("Allowed models").fill("openai/*, anthropic/claude-sonnet-4-5");
    // The team choice offers the user's teams (GET /api/teams) and "No team".
    const offered = await form.getByLabel("Team").locator("option").allTextContents();
    const mine = (await rest("/teams")).body.data.map((t: any) => t.name);
    expect(offered).toEqual(["No team", ...mine]);
    await form.getByLabel("Team").selectOption({ label: "platform" });
    await form.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByTestId("new-key");
    await shown.waitFor();
    newKey = (await shown.textContent()) ?? "";
    expect(newKey).toMatch(/^llmg_/);
    await page.getByText("you will not see it again", { exact: false }).waitFor();

    // The copy button puts the key on the clipboard.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: f.t.url });
    await page.getByRole("button", { name: "Copy key" }).click();
    await page.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(newKey);

    const works = await call(`${f.t.url}/api/budget`, { key: newKey });
    expect(works.status).toBe(200);
    const created = ((await rest("/keys")).body.data as any[]).find((k) => k.name === "ci");
    expect(created.scopes).toEqual(["chat", "read"]);
    expect(created.budget_usd).toBe("2.5");
    expect(created.allowed_models).toEqual(["openai/*", "anthropic/claude-sonnet-4-5"]);
    expect(created.team_id).toBe(teams[0]?.id);
    expect(newKey.startsWith(created.prefix)).toBe(true);
    const row = page.getByTestId(`key-${created.id}`);
    await row.waitFor();
    expect(await row.locator('[data-field="team"]').textContent()).toBe("platform");
    expect(await row.textContent()).toContain("$2.5 / month");
    expect(await row.textContent()).toContain("chat, read");
    await screenshot(page, "settings-keys-created");

    // Nowhere to be found once dismissed: not in the page, its storage or its address.
    await page.getByRole("button", { name: "I have copied it" }).click();
    await shown.waitFor({ state: "detached" });
    const stored = (await page.evaluate(
      `JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })`,
    )) as string;
    expect(stored).not.toContain(newKey);
    expect(page.url()).not.toContain(newKey);
    expect(await page.content()).not.toContain(newKey);
  });

  /** The key's row as GET /api/keys has it: name, team, budget. */
  async function expectKeyRowAsRest(id: string) {
    const key = ((await rest("/keys")).body.data as any[]).find((k) => k.id === id);
    const row = page.getByTestId(`key-${id}`);
    const team = teams.find((t) => t.id === key.team_id)?.name ?? "none";
    await expect.poll(() => row.locator('[data-field="team"]').textContent()).toBe(team);
    await expect.poll(() => row.locator("th").textContent()).toBe(key.name ?? "unnamed");
    const budget = key.budget_usd === null ? "none" : `$${key.budget_usd} / ${key.budget_period}`;
    await expect.poll(async () => ((await row.textContent()) ?? "").includes(budget)).toBe(true);
    return key;
  }

  it("edits a key's name, budget and team in its row, as GET /api/keys then shows", async () => {
    const before = ((await rest("/keys")).body.data as any[]).find((k) => k.name === "ci");
    const edit = page.getByRole("button", { name: "Edit ci" });
    await edit.click();
    expect(await edit.getAttribute("aria-expanded")).toBe("true");
    const form = page.getByRole("form", { name: "Edit key ci" });
    // Prefilled with the key's values.
    expect(await form.getByLabel("Name").inputValue()).toBe("ci");
    expect(await form.getByLabel("Key budget (USD)").inputValue()).toBe("2.5");
    expect(await form.getByLabel("Team").inputValue()).toBe(teams[0]?.id);
    expect(await form.getByLabel("Allowed models").inputValue()).toBe(
      "openai/*, anthropic/claude-sonnet-4-5",
    );
    expect(await seriousAxeViolations(page)).toEqual([]);

    const sent: unknown[] = [];
    const watch = (request: any) => {
      if (request.url().includes("keys.update")) sent.push(request.postDataJSON());
    };
    page.on("request", watch);
    await form.getByLabel("Name").fill("ci-renamed");
    await form.getByLabel("Key budget (USD)").fill("7.125");
    await form.getByLabel("Budget period").selectOption("day");
    await form.getByLabel("Team").selectOption({ label: "research" });
    await form.getByRole("button", { name: "Save changes" }).click();
    await form.waitFor({ state: "detached" });
    // Focus is back on the row's Edit button.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Edit ci-renamed");
    page.off("request", watch);
    // Only what changed went out (tRPC's batch body wraps the input under its index).
    expect(JSON.stringify(sent)).toContain('"budget_usd":"7.125"');
    expect(JSON.stringify(sent)).not.toContain("allowed_models");
    expect(JSON.stringify(sent)).not.toContain("scopes");

    const after = await expectKeyRowAsRest(before.id);
    expect(after).toMatchObject({
      name: "ci-renamed",
      budget_usd: "7.125",
      budget_period: "day",
      team_id: teams[1]?.id,
      scopes: before.scopes,
      allowed_models: before.allowed_models,
    });
  });

  it("clears a field by emptying it: the key's budget is gone in GET /api/keys", async () => {
    const key = ((await rest("/keys")).body.data as any[]).find((k) => k.name === "ci-renamed");
    await page.getByRole("button", { name: "Edit ci-renamed" }).click();
    const form = page.getByRole("form", { name: "Edit key ci-renamed" });
    await form.getByLabel("Key budget (USD)").fill("");
    await form.getByLabel("Team").selectOption({ label: "No team" });
    const update = page.waitForRequest((request) => request.url().includes("keys.update"));
    await form.getByRole("button", { name: "Save changes" }).click();
    const body = JSON.stringify((await update).postDataJSON());
    expect(body).toContain('"budget_usd":null');
    expect(body).toContain('"team_id":null');
    await form.waitFor({ state: "detached" });
    const after = await expectKeyRowAsRest(key.id);
    expect(after).toMatchObject({ budget_usd: null, budget_period: null, team_id: null, name: "ci-renamed" });
  });

  it("shows the API's refusal of an edit with its message and request id, next to the field", async () => {
    const key = ((await rest("/keys")).body.data as any[]).find((k) => k.name === "ci-renamed");
    const refused = await rest(`/keys/${key.id}`, { method: "PATCH", body: { rpm: 0 } });
    expect(refused.status).toBe(400);
    const message = refused.body.details.find((d: any) => d.field === "rpm").message;

    await page.getByRole("button", { name: "Edit ci-renamed" }).click();
    const form = page.getByRole("form", { name: "Edit key ci-renamed" });
    await form.getByLabel("Requests per minute").fill("0");
    const answer = page.waitForResponse((response) => response.url().includes("keys.update"));
    await form.getByRole("button", { name: "Save changes" }).click();
    const response = await answer;
    const requestId = response.headers()["x-llmg-request-id"];
    expect(requestId).toBeTruthy();
    const alert = form.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain(refused.body.message);
    expect(await alert.textContent()).toContain(`Request id: ${requestId}`);
    const field = form.getByLabel("Requests per minute");
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const errorId = ((await field.getAttribute("aria-describedby")) ?? "")
      .split(" ")
      .find((id) => id.endsWith("-error"));
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe(message);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "settings-keys-edit-refused");

    // Cancel closes the form; the key is as it was.
    await form.getByRole("button", { name: "Cancel" }).click();
    await form.waitFor({ state: "detached" });
    expect(((await rest("/keys")).body.data as any[]).find((k) => k.id === key.id).rpm).toBe(key.rpm);
  });

  it("revokes the key from the page, after which it gets 401", async () => {
    const created = ((await rest("/keys")).body.data as any[]).find((k) => k.name === "ci-renamed");
    await page.getByRole("button", { name: "Revoke ci-renamed" }).click();
    await page.getByRole("button", { name: "Yes, revoke" }).click();
    await page.getByTestId(`key-${created.id}`).waitFor({ state: "detached" });
    expect((await call(`${f.t.url}/api/budget`, { key: newKey })).status).toBe(401);
    expect(((await rest("/keys")).body.data as any[]).map((k) => k.id)).not.toContain(created.id);
  });

  it("changes the limit and a threshold in the page, as GET /api/budget then shows", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Budget" }).click();
    await page.getByRole("heading", { level: 1, name: "Budget" }).waitFor();
    const before = (await rest("/budget")).body.data;
    await page.getByTestId("budget-spent").waitFor();
    expect(await page.getByTestId("budget-spent").textContent()).toBe(`$${before.spent_usd_exact}`);
    expect(before.thresholds).toEqual([50, 80, 100]);

    const form = page.getByRole("form", { name: "Budget settings" });
    await form.getByLabel("Monthly limit (USD)").fill("12.34");
    await form.getByLabel("Alert thresholds (%)").fill("25, 80, 100");
    await form.getByRole("button", { name: "Save budget" }).click();
    await form.getByRole("status").getByText("Saved.").waitFor();
    const after = (await rest("/budget")).body.data;
    expect(after.limit_usd_exact).toBe("12.34");
    expect(after.thresholds).toEqual([25, 80, 100]);
    expect(await page.getByTestId("budget-limit").textContent()).toBe("$12.34");
    expect(await page.getByTestId("budget-thresholds").textContent()).toBe("25 %, 80 %, 100 %");
  });

  it("shows the API's egress error on the webhook URL field", async () => {
    const url = "http://127.0.0.1:9/hook";
    const refused = await rest("/budget", { method: "PUT", body: { webhook_url: url } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("egress_denied");
    const message = refused.body.details.find((d: any) => d.field === "webhook_url").message;

    const form = page.getByRole("form", { name: "Budget settings" });
    const field = form.getByLabel("Webhook URL");
    await field.fill(url);
    await form.getByRole("button", { name: "Save budget" }).click();
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const errorId = ((await field.getAttribute("aria-describedby")) ?? "")
      .split(" ")
      .find((id) => id.endsWith("-error"));
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe(message);
    expect((await rest("/budget")).body.data.webhook_url).toBeNull();
  });

  it("sets and removes a tag budget, listed as GET /api/budget/tags does", async () => {
    const form = page.getByRole("form", { name: "Set a tag budget" });
    await form.getByLabel("Tag").fill("feature:search");
    await form.getByLabel("Monthly budget (USD)").fill("3.5");
    await form.getByRole("button", { name: "Set tag budget" }).click();
    const row = page.getByTestId("tag-feature:search");
    await row.waitFor();
    const [tag] = (await rest("/budget/tags")).body.data as any[];
    expect(tag.limit_usd_exact).toBe("3.5");
    expect(await row.getByRole("cell").allTextContents()).toEqual(
      expect.arrayContaining([
        `$${tag.limit_usd_exact}`,
        `$${tag.spent_usd_exact}`,
        `$${tag.remaining_usd_exact}`,
      ]),
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "settings-budget");

    await page.getByRole("button", { name: "Remove the budget of feature:search" }).click();
    await page.getByRole("button", { name: "Yes, remove" }).click();
    await row.waitFor({ state: "detached" });
    expect((await rest("/budget/tags")).body.data).toEqual([]);
  });

  it("shows the account and the activity log as the API lists them", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Account" }).click();
    await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
    const account = (await rest("/account")).body.data;
    await page.getByTestId("account-details").waitFor();
    expect(await page.getByTestId("account-keys").textContent()).toBe(String(account.keys_count));
    expect(await page.getByTestId("account-credentials").textContent()).toBe(
      String(account.credentials_count),
    );
    expect(await page.getByTestId("account-spent").textContent()).toBe(
      `$${account.this_month.cost_usd_exact}`,
    );
    expect(await page.getByText(account.email).count()).toBeGreaterThan(0);

    const shownEntries = async () => ({
      ids: await page
        .locator('tr[data-testid^="activity-"]')
        .evaluateAll((rows) =>
          rows.map((row) => (row as unknown as { dataset: { testid: string } }).dataset.testid),
        ),
      actions: await page.locator('tr[data-testid^="activity-"] [data-field="action"]').allTextContents(),
    });
    const listed = (body: any) => ({
      ids: body.data.map((entry: any) => `activity-${entry.id}`),
      actions: body.data.map((entry: any) => entry.action),
    });

    const first = (await rest("/account/activity?page=1&per_page=20")).body;
    await page.getByTestId(`activity-${first.data[0].id}`).waitFor();
    expect(await shownEntries()).toEqual(listed(first));
    expect(listed(first).actions).toEqual(
      expect.arrayContaining(["credential.test", "api_key.delete", "budget.update"]),
    );
    expect(await page.getByTestId("activity-page").textContent()).toBe(
      `Page 1 of ${first.pagination.total_pages} · ${first.pagination.total} entries`,
    );
    // The user's own entries say "you"; the administrator's say admin.
    const mine = first.data.findIndex((entry: any) => entry.actor === account.id);
    expect(await page.locator('[data-field="actor"]').nth(mine).textContent()).toBe("you");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "settings-account");

    // Ten a page: the second page is the API's second page.
    const byTen = [
      (await rest("/account/activity?page=1&per_page=10")).body,
      (await rest("/account/activity?page=2&per_page=10")).body,
    ];
    expect(byTen[0].pagination.total_pages).toBeGreaterThan(1);
    await page.getByLabel("Entries per page").selectOption("10");
    await page
      .getByTestId("activity-page")
      .getByText(`Page 1 of ${byTen[0].pagination.total_pages}`)
      .waitFor();
    expect(await shownEntries()).toEqual(listed(byTen[0]));
    await page.getByRole("button", { name: "Older" }).click();
    await page.getByTestId("activity-page").getByText("Page 2 of").waitFor();
    expect(await shownEntries()).toEqual(listed(byTen[1]));

    // One action only, as the API filters it.
    const tests = (await rest("/account/activity?action=credential.test&per_page=10")).body;
    await page.getByLabel("Action").fill("credential.test");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByTestId("activity-page").getByText(`${tests.pagination.total} entries`).waitFor();
    expect(
      await page.locator('tr[data-testid^="activity-"] [data-field="action"]').allTextContents(),
    ).toEqual(tests.data.map((entry: any) => entry.action));
  });

  describe("at a phone's width in dark mode", () => {
    let phone: BrowserContext;
    let small: Page;
    beforeAll(async () => {
      phone = await session.browser.newContext({
        viewport: { width: 390, height: 844 },
        colorScheme: "dark",
        // The session cookie of the signed-in desktop context: the same user on a phone.
        storageState: await context.storageState(),
      });
      small = await phone.newPage();
      await small.goto(`${f.t.url}/credentials`);
    });
    afterAll(async () => {
      await phone?.close();
    });

    // Moving with the menu, as a phone user would: one page load for the four pages.
    it.each([
      ["/credentials", "Credentials"],
      ["/keys", "API keys"],
      ["/budget", "Budget"],
      ["/account", "Account"],
    ])("%s fits without sideways scrolling", async (path, title) => {
      await small.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: title }).click();
      await small.getByRole("heading", { level: 1, name: title }).waitFor();
      expect(new URL(small.url()).pathname).toBe(path);
      // The page's data is in (a table, or the empty state's note).
      await small.locator("table, .empty").first().waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      expect(await seriousAxeViolations(small)).toEqual([]);
      await screenshot(small, `settings${path.replace("/", "-")}-phone-dark`);
    });
  });

  it("sent nothing anywhere but the gateway", () => {
    expect(session.outside).toEqual([]);
  });
});
