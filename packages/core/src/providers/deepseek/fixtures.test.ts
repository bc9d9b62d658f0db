import { describe, it } from "vitest";
import { replayFixture } from "./fixtures/replay";

/** DeepSeek's recorded exchanges (written from its API docs), request and answer byte for byte. */

const dir = new URL("./fixtures/", import.meta.url).href;

describe("deepseek fixtures", () => {
  it.each(["thinking-tool-call", "thinking-tool-result", "thinking-stream"])("%s", async (name) => {
    await replayFixture("deepseek", dir, name, "");
  });
});
