import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
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
import { call, createUserWithKey } from "./harness";

// The page's own global, used in functions that run in the browser (this file compiles
// without the DOM's types).
declare const document: any;

/**
 * The dashboard's Admin page (the admin key's only page), and a user's Teams and Routes pages,
 * in Chromium against the real gateway: every change made on a page is read back from the REST
 * endpoint, and every figure shown is compared with what that endpoint answers.
 */

const hex = () => randomBytes(4).toString("hex");
const limitText = (exact: string | null, none: string) => (exact === null ? none : `$${exact}`);
// As the page formats them (shared/format.ts).
const count = (n: number) => n.toLocaleString("en-US");
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

describe.skipIf(skipBrowser)("admin, teams and routes pages in Chromium", () => {
  let f: ChatFixture;
  let session: BrowserSession;
  let page: Page;
  let url: string;
  const email = `new-${hex()}@example.com`;
  let created: any;

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(`${url}/api${path}`, { key: f.t.adminKey, ...init });
  const listedUser = async (id: string) =>
    (await admin("/admin/users?per_page=100")).body.data.find((u: any) => u.id === id);

  /** The page's key table, row by row, next to GET /api/admin/users/{id}/keys. */
  async function expectKeyTableMatches(userId: string) {
    const keys = (await admin(`/admin/users/${userId}/keys`)).body.data;
    const table = page.getByRole("table", { name: "API keys of the user" });
    const rows = table.locator("tbody tr");
    // Wait for the table to hold what the endpoint answers, then compare every cell.
    await page.waitForFunction(
      (n) => document.querySelectorAll('table[aria-label="API keys of the user"] tbody tr').length === n,
      keys.length,
    );
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(
      keys.map((k: any) => `key-${k.id}`),
    );
    for (const k of keys) {
      const row = page.getByTestId(`key-${k.id}`);
      expect(await row.getByRole("rowheader").textContent()).toBe(`${k.prefix}…`);
      expect((await row.getByRole("cell").allTextContents()).slice(0, 6)).toEqual([
        k.name ?? "—",
        k.scopes.join(", "),
        k.allowed_models?.join(", ") ?? "all",
        k.team_id ?? "—",
        k.expires_at === null ? "never" : k.expires_at.slice(0, 10),
        k.last_used_at === null ? "never" : k.last_used_at.slice(0, 10),
      ]);
    }
    return keys;
  }

  beforeAll(async () => {
    buildDashboard();
    f = await startChatFixture("pglite", { LLMG_PROVIDER_MAX_RETRIES: "0" });
    url = f.t.url;
    session = await openBrowser(url);
    page = session.page;
    // A step that cannot happen fails in seconds, naming the step, not at the test's timeout.
    page.setDefaultTimeout(10_000);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await f?.close();
  });

  it("signed in with the admin key, shows the Admin page alone", async () => {
    await signIn(page, url, f.t.adminKey);
    await page.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Pages" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Admin"]);
    // The fixture's user is listed as GET /api/admin/users has it.
    const row = page.getByTestId(`user-${f.user.user.id}`);
    await row.waitFor();
    expect(await row.getByRole("rowheader").textContent()).toBe(f.user.user.email);
  });

  it("creates a user from the page; GET /api/admin/users lists it with the same fields", async () => {
    const form = page.getByRole("region", { name: "New user" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Name (optional)").fill("Ada Admin");
    await form.getByLabel("Monthly budget, USD (optional)").fill("12.5");
    await form.getByRole("button", { name: "Create user" }).click();
    // The new user's panel opens.
    await page.getByRole("heading", { level: 3, name: email }).waitFor();

    const list = (await admin("/admin/users?per_page=100")).body.data;
    created = list.find((u: any) => u.email === email);
    expect(created).toMatchObject({ name: "Ada Admin", monthly_budget_usd: "12.5", disabled: false });
    expect(new URL(page.url()).search).toBe(`?user=${created.id}`);

    const row = page.getByTestId(`user-${created.id}`);
    expect(await row.getByRole("rowheader").textContent()).toBe(created.email);
    const cells = await row.getByRole("cell").allTextContents();
    expect(cells.slice(0, 6)).toEqual([
      created.name,
      created.disabled ? "Disabled" : "Active",
      limitText(created.monthly_budget_usd, "unlimited"),
      limitText(created.budget_cap_usd, "no cap"),
      created.rate_limit_rpm === null ? "—" : String(created.rate_limit_rpm),
      created.rate_limit_tpm === null ? "—" : String(created.rate_limit_tpm),
    ]);
  });

  it("sets the user's budget, cap and rate limit from the page; the API shows them", async () => {
    const form = page.getByRole("form", { name: "Budget and limits" });
    await form.getByLabel("Monthly budget, USD", { exact: true }).fill("7.25");
    await form.getByLabel("Budget cap, USD", { exact: true }).fill("20");
    await form.getByLabel("Requests per minute").fill("600");
    await form.getByRole("button", { name: "Save limits" }).click();
    await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    const user = await listedUser(created.id);
    expect(user).toMatchObject({ monthly_budget_usd: "7.25", budget_cap_usd: "20", rate_limit_rpm: 600 });
    const cells = page.getByTestId(`user-${created.id}`).getByRole("cell");
    await cells.nth(2).filter({ hasText: "$7.25" }).waitFor();
    expect(await cells.nth(3).textContent()).toBe("$20");
    expect(await cells.nth(4).textContent()).toBe("600");
  });

  it("creates a key shown once that works over REST; revoking it from the page makes it 401", async () => {
    await page.getByLabel("Key name (optional)").fill("laptop");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByLabel("New key", { exact: true });
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^llmg_/);

    // The user's keys on the page are the endpoint's: the new one, plus one made over REST.
    // Compared before either is used: a key's last use is written in the background, later.
    const other = await admin(`/admin/users/${created.id}/keys`, {
      body: {
        name: "ci",
        scopes: ["chat"],
        allowed_models: ["openai/*"],
        expires_at: "2099-01-01T00:00:00Z",
      },
    });
    expect(other.status).toBe(201);
    await page.reload();
    const listed = await expectKeyTableMatches(created.id);
    expect(listed.map((k: any) => k.name).sort()).toEqual(["ci", "laptop"]);

    const budget = await call(`${url}/api/budget`, { key });
    expect(budget.status).toBe(200);
    // The key is the new user's: its budget is the limit just set.
    expect(budget.body.data.limit_usd_exact).toBe("7.25");

    const laptop = listed.find((k: any) => k.name === "laptop");
    await page.getByRole("button", { name: `Revoke ${laptop.prefix}` }).click();
    await page.getByRole("button", { name: "Confirm revoke" }).click();
    await page.getByTestId(`key-${laptop.id}`).waitFor({ state: "detached" });
    expect((await expectKeyTableMatches(created.id)).map((k: any) => k.id)).toEqual([other.body.data.id]);
    expect((await call(`${url}/api/budget`, { key })).status).toBe(401);
  });

  it("disables the user (their keys get 403 account_disabled) and enables them again", async () => {
    const { key } = (await admin(`/admin/users/${created.id}/keys`, { body: {} })).body.data;
    await page.getByRole("button", { name: "Disable user" }).click();
    await page.getByRole("button", { name: "Enable user" }).waitFor();
    expect((await listedUser(created.id)).disabled).toBe(true);
    const refused = await call(`${url}/api/budget`, { key });
    expect([refused.status, refused.body.error]).toEqual([403, "account_disabled"]);
    expect(await page.getByTestId(`user-${created.id}`).getByRole("cell").nth(1).textContent()).toBe(
      "Disabled",
    );

    await page.getByRole("button", { name: "Enable user" }).click();
    await page.getByRole("button", { name: "Disable user" }).waitFor();
    expect((await listedUser(created.id)).disabled).toBe(false);
    expect((await call(`${url}/api/budget`, { key })).status).toBe(200);
  });

  it("opens any user's panel by id, even one not on the list page shown", async () => {
    // Page 2 of the list is past its end here: the panel still loads the user by id.
    const someone = await createUserWithKey(f.t);
    await page.goto(`${url}/?user=${someone.user.id}&page=2`);
    await page.getByRole("heading", { level: 3, name: someone.user.email }).waitFor();
    expect(await page.getByTestId(`user-${someone.user.id}`).count()).toBe(0);
    // Its key was never used, so nothing about it changes in the background meanwhile.
    const keys = await expectKeyTableMatches(someone.user.id);
    expect(keys.map((k: any) => k.id)).toEqual([someone.keyId]);
    // An unknown id shows the envelope's 404.
    await page.goto(`${url}/?user=usr_nobody`);
    await page.getByText("User not found").waitFor();
  });

  it("shows spend by user for the month as GET /api/admin/usage/users answers it", async () => {
    const other = await createUserWithKey(f.t);
    const credential = await call(`${url}/api/credentials`, {
      key: other.key,
      body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
    });
    expect(credential.status).toBe(201);
    for (const [key, prompt, completion] of [
      [f.user.key, 1200, 300],
      [other.key, 150, 20],
      [f.user.key, 900, 100],
    ] as const) {
      f.fakes.openai.enqueue({ type: "success", content: "Hi", usage: { prompt, completion } });
      const res = await call(`${url}/v1/chat/completions`, {
        key,
        body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const spend = (await admin("/admin/usage/users?limit=50")).body.data;
    expect(spend.users.length).toBeGreaterThanOrEqual(2);
    // Each line is that user's own summary.
    const own = (await call(`${url}/api/usage/summary`, { key: other.key })).body.data.totals;
    expect(spend.users.find((u: any) => u.user_id === other.user.id).cost_usd_exact).toBe(own.cost_usd_exact);

    await page.goto(`${url}/`);
    const table = page.getByRole("table", { name: "Spend by user" });
    await table.waitFor();
    expect(
      await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid"))),
    ).toEqual(spend.users.map((u: any) => `spend-${u.user_id}`));
    for (const u of spend.users) {
      const row = page.getByTestId(`spend-${u.user_id}`);
      expect(await row.getByRole("rowheader").textContent()).toBe(u.email);
      expect(await row.getByRole("cell").allTextContents()).toEqual([
        count(u.requests),
        count(u.total_tokens),
        `$${u.cost_usd_exact}`,
        percent(u.cost_share),
      ]);
    }
    expect(spend.other).toBeNull();
    expect((await page.getByTestId("spend-total").getByRole("cell").allTextContents()).slice(0, 3)).toEqual([
      count(spend.totals.requests),
      count(spend.totals.total_tokens),
      `$${spend.totals.cost_usd_exact}`,
    ]);
    // A user's name in the table opens their panel.
    await table.getByRole("link", { name: other.user.email }).click();
    await page.getByRole("heading", { level: 3, name: other.user.email }).waitFor();
  });

  it("creates a team, sets its shared budget and adds a manager from the page", async () => {
    const name = `ops-${hex()}`;
    const form = page.getByRole("region", { name: "New team" });
    await form.getByLabel("Team name").fill(name);
    await form.getByLabel("Shared monthly budget, USD (optional)").fill("30");
    await form.getByRole("button", { name: "Create team" }).click();
    await form
      .getByRole("status")
      .filter({ hasText: `Created ${name}.` })
      .waitFor();
    const team = (await admin("/admin/teams?per_page=100")).body.data.find((t: any) => t.name === name);
    expect(team).toMatchObject({ monthly_budget_usd: "30", budget_cap_usd: null });

    await page.getByRole("link", { name }).click();
    await page.getByRole("heading", { level: 3, name }).waitFor();
    const budget = page.getByRole("form", { name: "Team budget" });
    await budget.getByLabel("Team budget cap, USD").fill("25");
    await budget.getByRole("button", { name: "Save team" }).click();
    await budget.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    // A cap below the limit lowers the limit to the cap.
    const after = (await admin("/admin/teams?per_page=100")).body.data.find((t: any) => t.id === team.id);
    expect(after).toMatchObject({ monthly_budget_usd: "25", budget_cap_usd: "25" });
    const row = page.getByRole("row", { name: new RegExp(name) });
    await row.getByRole("cell").first().filter({ hasText: "$25" }).waitFor();

    const members = page.getByRole("form", { name: "Team members" });
    await members.getByLabel("User").selectOption({ label: f.user.user.email });
    await members.getByLabel("Role").selectOption("manager");
    await members.getByRole("button", { name: "Add or change role" }).click();
    await members.getByRole("status").filter({ hasText: "is a manager" }).waitFor();
    // The member sees the team, as a manager.
    const mine = await call(`${url}/api/teams/${team.id}`, { key: f.user.key });
    expect(mine.body.data.members).toEqual([
      expect.objectContaining({ email: f.user.user.email, role: "manager" }),
    ]);
    // The panel lists the current members as GET /api/admin/teams/{id}/members answers them.
    const current = (await admin(`/admin/teams/${team.id}/members`)).body.data;
    expect(current).toEqual(mine.body.data.members);
    const memberRow = page.getByTestId(`member-${f.user.user.id}`);
    await memberRow.waitFor();
    expect(await memberRow.getByRole("rowheader").textContent()).toBe(current[0].email);
    expect(await memberRow.getByRole("cell").allTextContents()).toEqual([
      current[0].role,
      current[0].added_at.slice(0, 10),
    ]);

    await members.getByRole("button", { name: "Remove from team" }).click();
    await members.getByRole("status").filter({ hasText: "was removed" }).waitFor();
    await memberRow.waitFor({ state: "detached" });
    expect((await admin(`/admin/teams/${team.id}/members`)).body.data).toEqual([]);
    expect((await call(`${url}/api/teams/${team.id}`, { key: f.user.key })).status).toBe(404);
  });

  it("has no serious accessibility violation and fits a phone's width", async () => {
    await page.goto(`${url}/?user=${created.id}`);
    await page.getByRole("heading", { level: 3, name: email }).waitFor();
    await page.getByRole("table", { name: "Teams" }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-admin");

    const phone = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
      storageState: await session.context.storageState(),
    });
    try {
      const small = await phone.newPage();
      await small.goto(`${url}/?user=${created.id}`);
      await small.getByRole("heading", { level: 3, name: email }).waitFor();
      await small.getByRole("table", { name: "Teams" }).waitFor();
      expect(await overflowsSideways(small)).toBe(false);
      expect(await seriousAxeViolations(small)).toEqual([]);
      await screenshot(small, "dashboard-admin-phone-dark");
    } finally {
      await phone.close();
    }
  });

  it("a user's session has no Admin page, and the admin procedures answer 403 for it", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, url, f.user.key);
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    const links = await page.getByRole("navigation", { name: "Pages" }).getByRole("link").allTextContents();
    expect(links).toEqual(expect.arrayContaining(["Teams", "Routes"]));
    expect(links).not.toContain("Admin");

    const rest = await call(`${url}/api/admin/users`, { key: f.user.key });
    expect([rest.status, rest.body.error]).toEqual([403, "forbidden"]);
    // The same with the browser's session cookie.
    const status = await page.evaluate(`fetch("/api/admin/users").then((r) => r.status)`);
    expect(status).toBe(403);
  });

  it("shows a team created through the API with its members and shared spend; a manager changes its budget", async () => {
    const name = `platform-${hex()}`;
    const team = (await admin("/admin/teams", { body: { name, monthly_budget_usd: "50" } })).body.data;
    const other = await createUserWithKey(f.t);
    for (const [userId, role] of [
      [f.user.user.id, "manager"],
      [other.user.id, "member"],
    ]) {
      const added = await admin(`/admin/teams/${team.id}/members`, { body: { user_id: userId, role } });
      expect(added.status).toBe(200);
    }
    // Spend that counts for the team: a call with the member's team key.
    const teamKey = await call(`${url}/api/keys`, {
      key: f.user.key,
      body: { name: "team", team_id: team.id },
    });
    expect(teamKey.status).toBe(201);
    f.fakes.openai.enqueue({ type: "success", content: "Hi", usage: { prompt: 1200, completion: 300 } });
    const chat = await call(`${url}/api/chat/completions`, {
      key: teamKey.body.data.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] },
    });
    expect(chat.status, JSON.stringify(chat.body)).toBe(200);
    const detail = (await call(`${url}/api/teams/${team.id}`, { key: f.user.key })).body.data;
    const budget = (await call(`${url}/api/teams/${team.id}/budget`, { key: f.user.key })).body.data;
    expect(Number(budget.spent_usd_exact)).toBeGreaterThan(0);

    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Teams" }).click();
    const row = page.getByRole("row", { name: new RegExp(name) });
    await row.waitFor();
    expect(await row.getByRole("cell").allTextContents()).toEqual(["manager", "$50", "no cap"]);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await row.getByRole("link", { name }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/teams/${team.id}`);
    await page.getByTestId("team-spent").waitFor();
    expect(await page.getByTestId("team-spent").textContent()).toBe(`$${budget.spent_usd_exact}`);
    expect(await page.getByTestId("team-remaining").textContent()).toBe(`$${budget.remaining_usd_exact}`);
    const members = page.getByRole("table", { name: "Members" });
    const shown = await members
      .getByRole("row")
      .evaluateAll((rows) =>
        rows.slice(1).map((r) => [r.children[0]?.textContent, r.children[2]?.textContent]),
      );
    expect(shown).toEqual(detail.members.map((m: any) => [m.email, m.role]));
    expect(shown).toHaveLength(2);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-team");

    const settings = page.getByRole("form", { name: "Team budget settings" });
    await settings.getByLabel("Shared monthly budget, USD").fill("40");
    await settings.getByRole("button", { name: "Save team budget" }).click();
    await settings.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    const changed = (await call(`${url}/api/teams/${team.id}/budget`, { key: f.user.key })).body.data;
    expect(changed.limit_usd_exact).toBe("40");
    await page.getByText("of $40", { exact: false }).waitFor();
  });

  it("creates, edits and deletes a route; GET /api/routes has what the page shows", async () => {
    const name = `chat-${hex()}`;
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Routes" }).click();
    await page.getByRole("heading", { level: 1, name: "Routes" }).waitFor();
    await page.getByRole("link", { name: "New route" }).click();
    await page.getByRole("heading", { level: 1, name: "New route" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Strategy").selectOption("weighted");
    await page.getByLabel("Target 1 model").fill("openai/gpt-4o-mini");
    await page.getByLabel("Target 1 weight").fill("3");
    await page.getByRole("button", { name: "Add target" }).click();
    await page.getByLabel("Target 2 model").fill("anthropic/claude-sonnet-4-5");
    await page.getByLabel("Cache this route's answers").check();
    await page.getByLabel("Keep answers for, seconds").fill("600");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-route-editor");
    await page.getByRole("button", { name: "Create route" }).click();

    const row = page.getByTestId(`route-${name}`);
    await row.waitFor();
    const listed = (await call(`${url}/api/routes`, { key: f.user.key })).body.data.find(
      (r: any) => r.name === name,
    );
    expect(listed).toMatchObject({
      model: `route/${name}`,
      strategy: "weighted",
      targets: [
        { model: "openai/gpt-4o-mini", weight: 3 },
        { model: "anthropic/claude-sonnet-4-5", weight: 1 },
      ],
      fallbacks: [],
      cache: { ttl: 600, all: false },
    });
    expect(await row.getByRole("rowheader").textContent()).toBe(listed.model);
    expect((await row.getByRole("cell").allTextContents()).slice(0, 4)).toEqual([
      listed.strategy,
      listed.targets.map((t: any) => `${t.model} ×${t.weight}`).join(", "),
      "—",
      "600 s",
    ]);

    await row.getByRole("link", { name: `Edit ${name}` }).click();
    await page.getByRole("heading", { level: 1, name: `Edit route/${name}` }).waitFor();
    await page.getByLabel("Strategy").selectOption("ordered");
    await page.getByLabel("Fallbacks (optional)").fill("google/gemini-2.5-pro");
    await page.getByRole("button", { name: "Save route" }).click();
    await row.getByRole("cell").first().filter({ hasText: "ordered" }).waitFor();
    const edited = (await call(`${url}/api/routes/${name}`, { key: f.user.key })).body.data;
    expect(edited).toMatchObject({
      strategy: "ordered",
      targets: listed.targets,
      fallbacks: ["google/gemini-2.5-pro"],
      cache: { ttl: 600, all: false },
    });
    expect(await row.getByRole("cell").nth(1).textContent()).toBe(
      edited.targets.map((t: any) => t.model).join(", "),
    );

    // The same question twice through the cached route: the second answer comes from the cache.
    f.fakes.openai.enqueue({ type: "success", content: "Hi", usage: { prompt: 1200, completion: 300 } });
    for (const expected of ["miss", "hit"]) {
      const res = await call(`${url}/v1/chat/completions`, {
        key: f.user.key,
        body: { model: `route/${name}`, messages: [{ role: "user", content: "Cache me" }] },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.get("x-llmg-cache")).toBe(expected);
    }
    const totals = (await call(`${url}/api/usage/summary`, { key: f.user.key })).body.data.totals;
    expect(totals.cache_hits).toBe(1);
    await page.reload();
    await page.getByTestId("cache-saved").waitFor();
    expect(await page.getByTestId("cache-saved").textContent()).toBe(`$${totals.saved_usd_exact}`);
    expect(await page.getByTestId("cache-hits").textContent()).toBe(String(totals.cache_hits));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-routes");

    await row.getByRole("button", { name: `Delete ${name}` }).click();
    await row.getByRole("button", { name: `Confirm delete ${name}` }).click();
    await page.getByText("No routes yet.").waitFor();
    expect((await call(`${url}/api/routes/${name}`, { key: f.user.key })).status).toBe(404);
  });

  it("sent nothing anywhere but the gateway", () => {
    expect(session.outside).toEqual([]);
  });
});
