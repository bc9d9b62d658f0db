import { startFakeProvider } from "@llmg/fake-providers";
import { describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway } from "./harness";

describe("logs", () => {
  it("carry a request id per request and never a key or a provider secret, even at trace level", async () => {
    const providerSecret = "sk-provider-secret-never-logged-42";
    const fake = await startFakeProvider("openai", { apiKey: providerSecret });
    const lines: string[] = [];
    const t = await startTestGateway("pglite", {
      env: { LOG_LEVEL: "trace", LLMG_OPENAI_BASE_URL: fake.url, LLMG_PROVIDER_MAX_RETRIES: "0" },
      logLines: lines,
    });
    try {
      const { key } = await createUserWithKey(t);
      const cred = await call(`${t.url}/api/credentials`, {
        key,
        body: { provider: "openai", name: "main", api_key: providerSecret },
      });
      expect(cred.status).toBe(201);
      const ok = await call(`${t.url}/v1/chat/completions`, {
        key,
        body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
      });
      expect(ok.status).toBe(200);
      // A provider error that echoes the key, an unknown llmg key, and an internal validation error.
      fake.enqueue({ type: "error", status: 401, message: `Incorrect API key provided: ${providerSecret}` });
      expect(
        (
          await call(`${t.url}/api/chat/completions`, {
            key,
            body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] },
          })
        ).status,
      ).toBe(401);
      const wrong = `llmg_${"Z".repeat(43)}`;
      expect((await call(`${t.url}/api/keys`, { key: wrong })).status).toBe(401);

      const log = lines.join("");
      expect(lines.length).toBeGreaterThan(5);
      const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
      expect(requestLines.length).toBeGreaterThanOrEqual(5);
      expect(requestLines.every((l) => /^req_/.test(l.request_id))).toBe(true);
      for (const secret of [providerSecret, key, t.adminKey, wrong]) expect(log).not.toContain(secret);
    } finally {
      await t.close();
      await fake.close();
    }
  });
});
