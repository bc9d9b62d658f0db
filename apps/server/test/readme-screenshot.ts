/**
 * Makes docs/dashboard-overview.png, the README's picture of the dashboard: real calls through
 * the fake providers (nothing invented), rolled up, then the Overview in Debian's Chromium.
 *
 *   pnpm --filter @llmg/server screenshot:readme
 *
 * It runs under vitest (its own config, not part of `pnpm test`) for the test databases'
 * global setup; it writes the picture, it asserts nothing beyond the calls succeeding.
 */
import { resolve } from "node:path";
import { it } from "vitest";
import { buildDashboard, openBrowser, signIn } from "./browser";
import { startChatFixture } from "./chat-harness";
import { call } from "./harness";
import { rollUp } from "./usage-fixture";

const out = resolve(import.meta.dirname, "../../../docs/dashboard-overview.png");

const CALLS: [provider: string, model: string, prompt: number, completion: number, tags: string[]][] = [
  ["anthropic", "claude-sonnet-4-5", 180_000, 12_000, ["feature:agent"]],
  ["anthropic", "claude-sonnet-4-5", 90_000, 8_000, ["feature:agent"]],
  ["anthropic", "claude-haiku-4-5", 60_000, 4_000, ["feature:triage"]],
  ["openai", "gpt-4o", 120_000, 9_000, ["feature:search"]],
  ["openai", "gpt-4o", 40_000, 3_000, ["feature:search"]],
  ["openai", "gpt-4o-mini", 300_000, 20_000, ["feature:summaries"]],
  ["google", "gemini-2.5-flash", 250_000, 15_000, ["feature:summaries"]],
  ["mistral", "mistral-large-latest", 80_000, 6_000, ["feature:triage"]],
  ["deepseek", "deepseek-chat", 150_000, 10_000, ["feature:agent"]],
];

it("writes docs/dashboard-overview.png", async () => {
  buildDashboard();
  const f = await startChatFixture("pglite", { LLMG_PROVIDER_MAX_RETRIES: "0" });
  try {
    await call(`${f.t.url}/api/budget`, { method: "PUT", key: f.user.key, body: { limit_usd: "5" } });
    for (const [provider, model, prompt, completion, tags] of CALLS) {
      f.fakes[provider as keyof typeof f.fakes].enqueue({
        type: "success",
        content: "Done.",
        usage: { prompt, completion },
      });
      const res = await call(`${f.t.url}/api/chat/completions`, {
        key: f.user.key,
        body: { provider, model, messages: [{ role: "user", content: "Hello" }], metadata: { tags } },
      });
      if (res.status !== 200) throw new Error(`${provider}/${model}: ${JSON.stringify(res.body)}`);
    }
    await rollUp(f.t.gateway.services.db);
    const session = await openBrowser(f.t.url, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(session.page, f.t.url, f.user.key);
      await session.page.locator("figure.chart rect.bar-segment").first().waitFor();
      await session.page.locator("table.table tbody tr").first().waitFor();
      await session.page.screenshot({ path: out, fullPage: true });
      process.stdout.write(`wrote ${out}\n`);
    } finally {
      await session.close();
    }
  } finally {
    await f.close();
  }
}, 240_000);
