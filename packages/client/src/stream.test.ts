import { describe, expect, it } from "vitest";
import { streamChat } from "./stream";

/** A fetch that records what it was asked and answers one usage chunk and [DONE]. */
function recordingFetch() {
  const seen: RequestInit[] = [];
  const body =
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\ndata: [DONE]\n\n';
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
    seen.push(init ?? {});
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  };
  return { seen, fetch: fetch as typeof globalThis.fetch };
}

const input = {
  provider: "openai" as const,
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Hi" }],
};

describe("streamChat's credentials", () => {
  it("sends the key as a Bearer header, and no CSRF token, when it has one", async () => {
    const { seen, fetch } = recordingFetch();
    const options = { baseUrl: "http://gw", apiKey: "llmg_k", csrfToken: () => "t", fetch };
    for await (const _ of streamChat(options, input));
    const headers = seen[0]?.headers as Record<string, string>;
    expect(headers.authorization).toBe("Bearer llmg_k");
    expect(headers["x-llmg-csrf"]).toBeUndefined();
  });

  it("signed in with the session cookie: no authorization header, the CSRF token, same-origin credentials", async () => {
    const { seen, fetch } = recordingFetch();
    for await (const _ of streamChat({ baseUrl: "http://gw", csrfToken: () => "csrf-1", fetch }, input));
    const headers = seen[0]?.headers as Record<string, string>;
    expect(headers.authorization).toBeUndefined();
    expect(headers["x-llmg-csrf"]).toBe("csrf-1");
    expect(seen[0]?.credentials).toBe("same-origin");
    expect(JSON.parse(String(seen[0]?.body)).stream).toBe(true);
  });
});
