import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, testContext } from "../test-support";
import { buildAnthropicBody, parseAnthropicResponse } from "./chat";

/**
 * The adapter against request/response/stream fixtures written from Anthropic's official
 * references (see fixtures/README.md; not captured from the live API).
 */

const read = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const json = (name: string) => JSON.parse(read(name)) as Record<string, unknown>;

describe.each(["tool-loop", "thinking"])("anthropic fixture %s", (name) => {
  it("builds exactly the fixture's request body", () => {
    const fixture = json(`${name}.request.json`);
    const ctx = { ...testContext("http://unused"), ...(fixture.ctx as object) };
    const body = buildAnthropicBody(chatRequest(fixture.input as never), ctx, false);
    // Byte for byte: the adapter sends JSON.stringify(body); key order counts.
    expect(JSON.stringify(body)).toBe(JSON.stringify(fixture.wire));
  });

  it("parses the fixture's response into the expected result", () => {
    expect(parseAnthropicResponse(json(`${name}.response.json`))).toEqual(json(`${name}.expected.json`));
  });
});

describe("anthropic stream fixtures", () => {
  let server: Server;
  let url = "";
  let served = "";
  beforeAll(async () => {
    // Serves the fixture's bytes unchanged, as the API would on POST /v1/messages.
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await closeAllPools();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each(["stream-thinking", "stream-tool"])("turns %s.sse into the expected events", async (name) => {
    served = read(`${name}.sse`);
    const stream = getAdapter("anthropic").chatStream(
      chatRequest({ model: "claude-sonnet-4-5" }),
      testContext(url),
    );
    const { events } = await collect(stream);
    expect(events).toEqual(JSON.parse(read(`${name}.expected.json`)));
  });
});
