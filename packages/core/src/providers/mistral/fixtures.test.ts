import { describe, it } from "vitest";
import { replayFixture } from "../deepseek/fixtures/replay";

/** Mistral's recorded exchanges (written from its official SDK's types), request and answer byte for byte. */

const dir = new URL("./fixtures/", import.meta.url).href;

describe("mistral fixtures", () => {
  it.each(["tool-loop-foreign-ids", "magistral-thinking", "tool-call-stream", "magistral-thinking-stream"])(
    "%s",
    async (name) => {
      await replayFixture("mistral", dir, name, "/v1");
    },
  );
});
