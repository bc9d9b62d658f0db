import type { IncomingMessage } from "node:http";
import { ApiError } from "@llmg/api";
import { jsonTooDeep, tooDeepError } from "./json-depth";

/**
 * Reads and parses a JSON request body without express: the chat hot path skips express's
 * router and body-parser, which cost more CPU per call than all of llmg's own work. Errors are
 * the same ones body-parser's are mapped to (413 too large, 400 malformed or nested too deep).
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("error", reject);
    req.once("end", () => {
      if (size > limit) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (jsonTooDeep(body)) return reject(tooDeepError());
      const text = body.toString("utf8");
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError("validation_error", "Malformed JSON body"));
      }
    });
  });
}

function tooLarge(): ApiError {
  return new ApiError("payload_too_large", "Request body too large");
}

/** Whether the body is plain JSON this reader can take (no compression, a JSON media type). */
export function isPlainJson(req: IncomingMessage): boolean {
  const type = req.headers["content-type"];
  if (type === undefined) return false;
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding !== "identity") return false;
  const semicolon = type.indexOf(";");
  const media = (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  if (media !== "application/json") return false;
  // body-parser rejects charsets other than UTF-8 with 415; leave those to it.
  return semicolon === -1 || /charset\s*=\s*"?utf-8"?/i.test(type) || !/charset/i.test(type);
}
