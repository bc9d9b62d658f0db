import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { ResponseTooLarge } from "./too-large";

type Body = Dispatcher.ResponseData["body"];

/** An error body is only quoted (300 characters at most): more than this is never read. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The whole body as UTF-8 text, or ResponseTooLarge as soon as it passes `limit` bytes (at once
 * when its content-length says so). Reading stops there and the connection is dropped, so a
 * provider's endless body costs at most `limit` bytes of memory.
 */
export async function readText(body: Body, headers: IncomingHttpHeaders, limit: number): Promise<string> {
  const declared = Number(headers["content-length"]);
  if (declared > limit) {
    body.destroy();
    throw new ResponseTooLarge("response body", limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop by a throw destroys the body (and with it the connection).
    if (size > limit) throw new ResponseTooLarge("response body", limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/** The first `limit` bytes of the body as text; the rest is not read (the connection is dropped). */
export async function readPrefix(body: Body, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (size >= limit) break;
  }
  // A cut through a multi-byte character decodes to U+FFFD, which is fine for a quoted message.
  return Buffer.concat(chunks, size).toString("utf8");
}
