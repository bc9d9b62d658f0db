import { ResponseTooLarge } from "./too-large";

/** One server-sent event. `event` is absent for plain `data:` streams (OpenAI, Gemini). */
export interface SseEvent {
  event?: string;
  data: string;
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * Parses a byte stream as server-sent events (WHATWG rules: LF, CRLF or CR line ends, multi-line
 * data joined with "\n", comments and id/retry ignored). Yields each event as soon as its blank
 * line arrives; an unterminated last event is still delivered at the end of the stream.
 *
 * One event (its data lines plus the line being read) may hold at most `maxEventChars`
 * characters: past it the parse throws ResponseTooLarge instead of buffering a provider's endless
 * line. Only the new chunk is scanned for line ends, so a long line costs linear time.
 */
export async function* parseSse(
  source: AsyncIterable<Uint8Array>,
  maxEventChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  // Per stream: a shared global regex's lastIndex would be clobbered by interleaved streams.
  const lineEnd = new RegExp(LINE_END);
  /** Pieces of the line not ended yet, and their total length. */
  let partial: string[] = [];
  let partialChars = 0;
  /** The last chunk ended in CR: an LF opening the next one is the second half of a CRLF. */
  let skipLf = false;
  let event: string | undefined;
  let data: string[] = [];
  /** Characters held by `data`, counting the "\n" each extra line adds when joined. */
  let dataChars = 0;

  function* line(text: string): Generator<SseEvent> {
    if (text === "") {
      if (data.length > 0)
        yield event === undefined ? { data: data.join("\n") } : { event, data: data.join("\n") };
      event = undefined;
      data = [];
      dataChars = 0;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      dataChars += value.length + 1;
    } else if (field === "event") event = value;
  }

  function checkSize(): void {
    if (dataChars + partialChars > maxEventChars)
      throw new ResponseTooLarge("stream event", maxEventChars, "characters");
  }

  function* feed(text: string): Generator<SseEvent> {
    // A chunk that only held the start of a multi-byte character decodes to nothing.
    if (text === "") return;
    let start = 0;
    if (skipLf && text.startsWith("\n")) start = 1;
    skipLf = false;
    lineEnd.lastIndex = start;
    for (let match = lineEnd.exec(text); match !== null; match = lineEnd.exec(text)) {
      let piece = text.slice(start, match.index);
      if (partial.length > 0) {
        partial.push(piece);
        piece = partial.join("");
        partial = [];
        partialChars = 0;
      }
      yield* line(piece);
      checkSize();
      start = match.index + match[0].length;
      if (match[0] === "\r" && start === text.length) skipLf = true;
    }
    if (start < text.length) {
      partial.push(start === 0 ? text : text.slice(start));
      partialChars += text.length - start;
      checkSize();
    }
  }

  for await (const chunk of source) yield* feed(decoder.decode(chunk, { stream: true }));
  yield* feed(decoder.decode());
  if (partial.length > 0) yield* line(partial.join(""));
  partial = [];
  yield* line("");
}
