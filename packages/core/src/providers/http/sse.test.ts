import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSse, type SseEvent } from "./sse";
import { ResponseTooLarge } from "./too-large";

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

describe("parseSse size cap", () => {
  async function* chunked(text: string, size: number) {
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
  }

  async function parseCapped(source: AsyncIterable<Uint8Array>, max: number) {
    const events: SseEvent[] = [];
    try {
      for await (const event of parseSse(source, max)) events.push(event);
    } catch (error) {
      return { events, error };
    }
    return { events, error: undefined };
  }

  it("ends the parse once a line without an end passes the cap, without reading the rest", async () => {
    let pulled = 0;
    async function* endless() {
      yield new TextEncoder().encode("data: first\n\n");
      const piece = new TextEncoder().encode("a".repeat(1000));
      for (;;) {
        pulled += 1;
        yield piece;
      }
    }
    const { events, error } = await parseCapped(endless(), 10_000);
    expect(events).toEqual([{ data: "first" }]);
    expect(error).toBeInstanceOf(ResponseTooLarge);
    expect((error as Error).message).toBe("stream event exceeded 10000 characters");
    expect(pulled).toBeLessThanOrEqual(11);
  });

  it("counts an event's data lines together, not only the line being read", async () => {
    const manyLines = `${"data: 0123456789\n".repeat(2000)}\n`;
    const { events, error } = await parseCapped(chunked(manyLines, 700), 10_000);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ResponseTooLarge);
    // Empty data lines hold no text but still grow the event.
    const { error: emptyLines } = await parseCapped(chunked("data:\n".repeat(20_000), 512), 10_000);
    expect(emptyLines).toBeInstanceOf(ResponseTooLarge);
  });

  it("passes events up to the cap whole, however they are split", async () => {
    const big = "b".repeat(9_000);
    const text = `data: ${big}\n\ndata: ${big}\r\n\r\n`;
    for (const size of [1, 7, 4096, text.length]) {
      const { events, error } = await parseCapped(chunked(text, size), 9_010);
      expect(error).toBeUndefined();
      expect(events).toEqual([{ data: big }, { data: big }]);
    }
  });
});
