import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSse, type SseEvent } from "./sse";

async function parse(chunks: string[]): Promise<SseEvent[]> {
  async function* source() {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const events: SseEvent[] = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

describe("parseSse", () => {
  it("parses named events, data-only events, comments and multi-line data", async () => {
    const text =
      ': keep-alive\n\nevent: message_start\ndata: {"a":1}\n\ndata: line1\ndata: line2\n\nid: 7\nretry: 10\ndata:no-space\n\n';
    expect(await parse([text])).toEqual([
      { event: "message_start", data: '{"a":1}' },
      { data: "line1\nline2" },
      { data: "no-space" },
    ]);
  });

  it("handles CRLF and CR line ends and an unterminated last event", async () => {
    expect(await parse(["data: a\r\n\r\ndata: b\r\rdata: c"])).toEqual([
      { data: "a" },
      { data: "b" },
      { data: "c" },
    ]);
  });

  it("yields the same events however the bytes are split", async () => {
    const text = 'event: x\r\ndata: {"t":"héllo 🎉"}\r\n\r\ndata: [DONE]\n\n';
    const expected = await parse([text]);
    const bytes = new TextEncoder().encode(text);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 8 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          async function* source() {
            for (let i = 0; i + 1 < points.length; i++) yield bytes.slice(points[i], points[i + 1]);
          }
          const events: SseEvent[] = [];
          for await (const event of parseSse(source())) events.push(event);
          expect(events).toEqual(expected);
        },
      ),
    );
  });
});
