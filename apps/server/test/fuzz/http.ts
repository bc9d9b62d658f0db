import { Agent, request } from "node:http";
import { gzipSync } from "node:zlib";
import { RawJson } from "./hostile";

/** JSON text of a generated value; RawJson parts go in verbatim, -0 stays -0. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Percent-encodes every byte but the unreserved characters. A lone surrogate is written as its
 * WTF-8 bytes (ED A0 80 for U+D800): invalid UTF-8, as a hostile client would send it.
 */
export function encodeComponent(text: string): string {
  let out = "";
  for (const char of text) {
    if (/^[A-Za-z0-9\-._~]$/.test(char)) {
      out += char;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    const bytes =
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        : [...Buffer.from(char, "utf8")];
    for (const byte of bytes) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** How a generated body travels: the content type and encoding a client might (wrongly) use. */
export type BodyCoding =
  | "json"
  | "json-charset"
  | "json-latin1"
  | "gzip"
  | "bad-gzip"
  | "text-plain"
  | "form"
  | "no-type"
  | "empty"
  | "invalid-utf8";

export const BODY_CODINGS: readonly BodyCoding[] = [
  "json",
  "json-charset",
  "json-latin1",
  "gzip",
  "bad-gzip",
  "text-plain",
  "form",
  "no-type",
  "empty",
  "invalid-utf8",
];

export function encodeBody(
  text: string,
  coding: BodyCoding,
): { headers: Record<string, string>; body?: Buffer } {
  const utf8 = Buffer.from(text, "utf8");
  switch (coding) {
    case "json":
      return { headers: { "content-type": "application/json" }, body: utf8 };
    case "json-charset":
      return { headers: { "content-type": "application/json; charset=utf-8" }, body: utf8 };
    case "json-latin1":
      return { headers: { "content-type": "application/json; charset=latin1" }, body: utf8 };
    case "gzip":
      return {
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: gzipSync(utf8),
      };
    case "bad-gzip":
      return { headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: utf8 };
    case "text-plain":
      return { headers: { "content-type": "text/plain" }, body: utf8 };
    case "form":
      return { headers: { "content-type": "application/x-www-form-urlencoded" }, body: utf8 };
    case "no-type":
      return { headers: {}, body: utf8 };
    case "empty":
      return { headers: { "content-type": "application/json" }, body: Buffer.alloc(0) };
    case "invalid-utf8":
      return {
        headers: { "content-type": "application/json" },
        body: Buffer.concat([
          Buffer.from('{"x":"'),
          Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
      };
  }
}

export interface FuzzRequest {
  method: string;
  /** Already encoded path and query, sent byte for byte. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** One request over real HTTP, without fetch's URL normalisation (so `..` and `%zz` go as is). */
export function send(baseUrl: string, req: FuzzRequest): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(req.body ? { "content-length": String(req.body.length) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("fuzz request timed out")));
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

/** What must never appear in an answer: a stack frame, a source path, a PostgreSQL message. */
const LEAKS: readonly RegExp[] = [
  /\n\s+at\s/,
  /\bat \S+ \(\S+:\d+:\d+\)/,
  /node_modules/,
  /\/src\/\S+\.[tj]s\b/,
  /invalid byte sequence/i,
  /untranslatable character/i,
  /out of range for type/i,
  /invalid input syntax/i,
  /violates \S+ constraint/i,
  /duplicate key value/i,
  /syntax error at or near/i,
  /value too long for type/i,
  /relation "\S+" does not exist/i,
  /stack depth limit/i,
  /Maximum call stack/i,
  /\bSQLSTATE\b/,
];

export function leakIn(text: string): string | undefined {
  return LEAKS.find((pattern) => pattern.test(text))?.source;
}

const SNAKE = /^[a-z]+(_[a-z]+)*$/;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Problem = string | undefined;

function statusProblem(res: FuzzResponse): Problem {
  if (res.status >= 500) return `status ${res.status}`;
  if (res.status < 200 || (res.status >= 300 && res.status < 400)) return `unexpected status ${res.status}`;
  const leak = leakIn(res.text);
  return leak ? `leak ${leak}` : undefined;
}

/** /api: our envelope on every error, with a 4xx status. */
export function envelopeProblem(res: FuzzResponse): Problem {
  const problem = statusProblem(res);
  if (problem) return problem;
  if (res.status < 400 && String(res.headers["content-type"]).startsWith("text/event-stream"))
    return streamProblem(res.text);
  const body = parse(res.text) as Record<string, unknown> | undefined;
  if (body === undefined || typeof body !== "object" || body === null) return "answer is not JSON";
  if (res.status < 400) return undefined;
  if (body.success !== false) return "error without success:false";
  if (typeof body.error !== "string" || !SNAKE.test(body.error)) return `error code ${String(body.error)}`;
  if (typeof body.message !== "string" || body.message === "") return "error without message";
  if (typeof body.request_id !== "string" || body.request_id === "") return "error without request_id";
  return undefined;
}

/** POST /api/chat/completions with stream: true: JSON events, a mid-stream error in our envelope. */
function streamProblem(text: string): Problem {
  for (const block of text.split("\n\n")) {
    if (!block.startsWith("data: ")) continue;
    const data = block.slice("data: ".length).trim();
    if (data === "[DONE]") continue;
    const event = parse(data) as Record<string, unknown> | undefined;
    if (event === undefined || typeof event !== "object" || event === null) return "stream event is not JSON";
    if (event.success === false) return envelopeProblem({ status: 400, headers: {}, text: data });
  }
  return undefined;
}

// Node's HTTP parser refuses a request line and headers past 16 KB before any route runs: the
// server answers that in our envelope whatever the path.
const PARSER_STATUS = 431;

/** /v1: OpenAI's error object, with a 4xx status. */
export function openAiProblem(res: FuzzResponse): Problem {
  if (res.status === PARSER_STATUS) return envelopeProblem(res);
  const problem = statusProblem(res);
  if (problem) return problem;
  if (res.status < 400) return undefined;
  const body = parse(res.text) as { error?: Record<string, unknown> } | undefined;
  const error = body?.error;
  if (!error || typeof error !== "object") return "error without an error object";
  if (typeof error.message !== "string" || error.message === "") return "error without message";
  if (typeof error.type !== "string") return "error without type";
  if (!("param" in error)) return "error without param";
  if (typeof error.code !== "string" || !SNAKE.test(error.code)) return `error code ${String(error.code)}`;
  return undefined;
}

interface TrpcError {
  message?: unknown;
  data?: { error?: unknown; message?: unknown; httpStatus?: unknown };
}

/** /trpc: tRPC's own shape (one answer or a batch), our snake code in data.error. */
export function trpcProblem(res: FuzzResponse): Problem {
  if (res.status === PARSER_STATUS) return envelopeProblem(res);
  const problem = statusProblem(res);
  if (problem) return problem;
  const body = parse(res.text);
  if (body === undefined) return "answer is not JSON";
  if (res.status < 400 && !Array.isArray(body)) return undefined;
  const items = (Array.isArray(body) ? body : [body]) as { error?: TrpcError; result?: unknown }[];
  for (const item of items) {
    if (item?.result !== undefined) continue;
    const error = item?.error;
    if (!error || typeof error !== "object") return "item without result or error";
    if (typeof error.message !== "string") return "error without message";
    if (typeof error.data?.error !== "string" || !SNAKE.test(error.data.error))
      return `error code ${String(error.data?.error)}`;
    if (typeof error.data.httpStatus === "number" && error.data.httpStatus >= 500)
      return `item status ${error.data.httpStatus}`;
  }
  return undefined;
}

export interface FuzzFailure {
  request: string;
  /** The whole request, body in base64, for replay. */
  replay: { method: string; path: string; headers: Record<string, string>; body?: string };
  status: number;
  problem: string;
  answer: string;
}

/** Tallies one run and keeps the first failures with what is needed to replay them. */
export class FuzzTally {
  cases = 0;
  fiveHundreds = 0;
  readonly failures: FuzzFailure[] = [];
  readonly byStatus = new Map<number, number>();

  record(req: FuzzRequest, res: FuzzResponse, problem: Problem): void {
    this.cases++;
    this.byStatus.set(res.status, (this.byStatus.get(res.status) ?? 0) + 1);
    if (res.status >= 500) this.fiveHundreds++;
    if (!problem) return;
    this.failures.push({
      request: describe(req),
      replay: {
        method: req.method,
        path: req.path,
        headers: req.headers,
        ...(req.body ? { body: req.body.toString("base64") } : {}),
      },
      status: res.status,
      problem,
      answer: res.text.slice(0, 300),
    });
  }

  summary(label: string, seed: number): string {
    const statuses = [...this.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
    return `${label}: ${this.cases} cases, ${this.fiveHundreds} 5xx, ${this.failures.length} failures (seed ${seed}, replay with LLMG_FUZZ_SEED=${seed} LLMG_FUZZ_DUMP=1; statuses ${statuses.join(" ")})`;
  }
}

export function describe(req: FuzzRequest): string {
  const path = req.path.length > 200 ? `${req.path.slice(0, 200)}…(${req.path.length})` : req.path;
  const body = req.body
    ? req.body.length > 200
      ? `${req.body.subarray(0, 200).toString("utf8")}…(${req.body.length} bytes)`
      : req.body.toString("utf8")
    : "";
  const headers = Object.entries(req.headers)
    .filter(([name]) => name !== "authorization")
    .map(
      ([name, value]) =>
        `${name}: ${value.length > 100 ? `${value.slice(0, 100)}…(${value.length})` : value}`,
    )
    .join("; ");
  return `${req.method} ${path} [${headers}] ${body}`;
}

/** Runs requests with bounded concurrency; the cases themselves are fixed by the seed. */
export async function runAll<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The seed of every fuzz run: fixed so `pnpm test` is repeatable, LLMG_FUZZ_SEED to explore. */
export function fuzzSeed(): number {
  const fromEnv = Number(process.env.LLMG_FUZZ_SEED || Number.NaN);
  return Number.isInteger(fromEnv) ? fromEnv : 20261201;
}

/** Cases per operation; LLMG_FUZZ_RUNS raises it for a longer hunt. */
export function fuzzRuns(defaultRuns: number): number {
  const fromEnv = Number(process.env.LLMG_FUZZ_RUNS || Number.NaN);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

interface LogLine {
  level?: number;
  msg?: string;
  err?: { type?: string; message?: string; code?: string; cause?: { code?: string } };
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The gateway's error-level log lines of a run, split in two: PostgreSQL refusing input that no
 * schema refused (the caller got a 400, but a row may be lost), and everything else.
 */
export function errorLogs(lines: readonly string[]): { databaseInput: string[]; other: string[] } {
  const databaseInput: string[] = [];
  const other: string[] = [];
  for (const line of lines) {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if ((parsed.level ?? 0) < 50) continue;
    const code = parsed.err?.code ?? parsed.err?.cause?.code;
    const text = `${parsed.msg}: ${parsed.err?.type ?? ""} ${parsed.err?.message ?? ""}`.slice(0, 300);
    (typeof code === "string" && SQLSTATE.test(code) ? databaseInput : other).push(text);
  }
  return { databaseInput, other };
}
