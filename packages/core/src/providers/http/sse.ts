/** One server-sent event. `event` is absent for plain `data:` streams (OpenAI, Gemini). */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Parses a byte stream as server-sent events (WHATWG rules: LF, CRLF or CR line ends, multi-line
 * data joined with "\n", comments and id/retry ignored). Yields each event as soon as its blank
 * line arrives; an unterminated last event is still delivered at the end of the stream.
 */
export async function* parseSse(source: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  // Per stream: a shared global regex's lastIndex would be clobbered by interleaved streams.
  const lineEnd = /\r\n|\r|\n/g;
  let buffer = "";
  let event: string | undefined;
  let data: string[] = [];

  function* line(text: string): Generator<SseEvent> {
    if (text === "") {
      if (data.length > 0)
        yield event === undefined ? { data: data.join("\n") } : { event, data: data.join("\n") };
      event = undefined;
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
  }

  function* drain(final: boolean): Generator<SseEvent> {
    let start = 0;
    lineEnd.lastIndex = 0;
    for (let match = lineEnd.exec(buffer); match !== null; match = lineEnd.exec(buffer)) {
      // A trailing CR may be the first half of a CRLF split across chunks.
      if (!final && match[0] === "\r" && match.index === buffer.length - 1) break;
      yield* line(buffer.slice(start, match.index));
      start = match.index + match[0].length;
    }
    buffer = buffer.slice(start);
  }

  for await (const chunk of source) {
    buffer += decoder.decode(chunk, { stream: true });
    yield* drain(false);
  }
  buffer += decoder.decode();
  yield* drain(true);
  if (buffer !== "") yield* line(buffer);
  buffer = "";
  yield* line("");
}
