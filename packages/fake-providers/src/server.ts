import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicWire } from "./anthropic";
import { googleWire } from "./google";
import { openAICompatibleWire } from "./openai-compatible";
import { isPlainSuccess, toolRuleBehavior } from "./tool-rule";
import type {
  ErrorReply,
  FakeBehavior,
  FakeProvider,
  FakeProviderId,
  FakeProviderOptions,
  FakeUsage,
  RecordedRequest,
  Reply,
  Route,
  WireFormat,
} from "./types";
import { DEFAULT_ERROR_MESSAGES } from "./util";

const WIRES: Record<FakeProviderId, WireFormat> = {
  openai: openAICompatibleWire("openai"),
  deepseek: openAICompatibleWire("deepseek"),
  mistral: openAICompatibleWire("mistral"),
  anthropic: anthropicWire,
  google: googleWire,
};

export const DEFAULT_FAKE_USAGE: FakeUsage = Object.freeze({ prompt: 12, completion: 34 });
export const DEFAULT_FAKE_CHUNKS: readonly string[] = Object.freeze([
  "Hello",
  " from",
  " the",
  " fake",
  " provider.",
]);
const DEFAULT_MODEL = "fake-model";

type ReplyBehavior = Extract<FakeBehavior, { type: "success" | "stream" | "streamWithoutUsage" | "reset" }>;

function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? (text === "" ? [] : [text]);
}

function toReply(behavior: ReplyBehavior, model: string | undefined): Reply {
  const toolCalls = behavior.toolCalls ?? [];
  const chunks =
    behavior.type === "success"
      ? splitWords(behavior.content ?? (toolCalls.length > 0 ? "" : DEFAULT_FAKE_CHUNKS.join("")))
      : (behavior.chunks ?? (toolCalls.length > 0 ? [] : [...DEFAULT_FAKE_CHUNKS]));
  const withUsage = behavior.type !== "streamWithoutUsage";
  return {
    model: model ?? DEFAULT_MODEL,
    chunks,
    usage: (withUsage ? behavior.usage : undefined) ?? DEFAULT_FAKE_USAGE,
    rawUsage: withUsage ? behavior.rawUsage : undefined,
    withUsage,
    finishReason: behavior.finishReason,
    toolCalls,
  };
}

function parseBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const STREAM_FLAG = /"stream"\s*:\s*true/;
const INCLUDE_USAGE_FLAG = /"include_usage"\s*:\s*true/;

/** Benchmark mode: every answer is a buffer computed once at start-up. */
function instantHandler(wire: WireFormat, apiKey: string, models: string[]) {
  const reply: Reply = {
    model: DEFAULT_MODEL,
    chunks: [...DEFAULT_FAKE_CHUNKS],
    usage: DEFAULT_FAKE_USAGE,
    withUsage: true,
    toolCalls: [],
  };
  const frames = (request: unknown) =>
    Buffer.from(
      wire
        .streamFrames(reply, request)
        .map((f) => f.text)
        .join(""),
    );
  const completion = Buffer.from(JSON.stringify(wire.completion(reply)));
  const streamWithUsage = frames({ stream: true, stream_options: { include_usage: true } });
  const streamPlain = frames({ stream: true });
  const modelList = Buffer.from(JSON.stringify(wire.models(models)));
  const json = { "content-type": "application/json" };
  const sse = { "content-type": "text/event-stream", "cache-control": "no-cache" };

  return (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = req.url ?? "/";
    const hint = { stream: STREAM_FLAG.test(raw) };
    const route = wire.route(req.method ?? "GET", path, hint);
    const failure = route
      ? wire.checkAuth(req.headers, path, apiKey)
      : wire.error(404, `Unknown endpoint ${req.method} ${path}`);
    if (failure) return sendError(res, failure);
    if (route?.kind === "models") return res.writeHead(200, json).end(modelList);
    if (route?.kind === "countTokens") return countTokens(wire, res, parseBody(raw));
    if (route?.stream)
      return res.writeHead(200, sse).end(INCLUDE_USAGE_FLAG.test(raw) ? streamWithUsage : streamPlain);
    return res.writeHead(200, json).end(completion);
  };
}

const FILLER = Buffer.alloc(64 * 1024, "a");
const HUGE_LINE_BYTES = 100 * 1024 * 1024;

/**
 * Writes `head`, then filler up to `total` bytes (forever when infinite), each piece only once the
 * client took the previous ones: the fake's memory stays flat however much it sends.
 */
function pump(res: ServerResponse, head: string, total: number): void {
  let sent = 0;
  const step = () => {
    while (sent < total && !res.destroyed) {
      const size = Math.min(FILLER.length, total - sent);
      sent += size;
      if (!res.write(size === FILLER.length ? FILLER : FILLER.subarray(0, size))) {
        res.once("drain", step);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.write(head);
  sent = Buffer.byteLength(head);
  step();
}

function countTokens(
  wire: WireFormat,
  res: ServerResponse,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const answer = wire.countTokens?.(body) ?? { error: wire.error(404, "Unknown endpoint") };
  if ("error" in answer) return sendError(res, answer.error, headers);
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(answer.ok));
}

function sendError(res: ServerResponse, reply: ErrorReply, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(reply.status, { "content-type": "application/json", ...extraHeaders, ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

export async function startFakeProvider(
  provider: FakeProviderId,
  options: FakeProviderOptions = {},
): Promise<FakeProvider> {
  const wire = WIRES[provider];
  const apiKey = options.apiKey ?? "test-key";
  const models = options.models ?? wire.defaultModels;
  const queue: FakeBehavior[] = [];
  let defaultBehavior: FakeBehavior = options.defaultBehavior ?? { type: "success" };
  const requests: RecordedRequest[] = [];
  let requestCount = 0;
  let requestIds = 0;
  const timers = new Set<NodeJS.Timeout>();
  const instant = options.instant ? instantHandler(wire, apiKey, models) : undefined;

  /** setTimeout that close() can cancel and that stops once the client is gone. */
  const later = (res: ServerResponse, ms: number, fn: () => void) => {
    const onClose = () => {
      clearTimeout(timer);
      timers.delete(timer);
    };
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.off("close", onClose);
      if (!res.destroyed) fn();
    }, ms);
    timers.add(timer);
    res.once("close", onClose);
  };

  const commonHeaders = (): Record<string, string> => {
    requestIds += 1;
    return wire.requestIdHeader ? { [wire.requestIdHeader]: `req_fake_${requestIds}` } : {};
  };

  const writeFrames = (
    res: ServerResponse,
    frames: { text: string; content: boolean }[],
    delayMs: number,
    resetAfterContent?: number,
  ) => {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      ...commonHeaders(),
    });
    let contentSent = 0;
    let i = 0;
    const step = () => {
      while (i < frames.length) {
        const frame = frames[i]!;
        i += 1;
        if (resetAfterContent !== undefined && frame.content && contentSent === resetAfterContent) {
          // Drop the connection mid-stream, after what was written so far reached the socket.
          res.write("", () => res.socket?.destroy());
          return;
        }
        res.write(frame.text);
        if (frame.content) contentSent += 1;
        if (delayMs > 0 && i < frames.length) return later(res, delayMs, step);
      }
      if (resetAfterContent !== undefined) res.write("", () => res.socket?.destroy());
      else res.end();
    };
    step();
  };

  /** The frames of `text` repeated for as long as the client stays (the prelude once). */
  const endless = (
    res: ServerResponse,
    text: string,
    delayMs: number,
    model: string | undefined,
    body: unknown,
  ) => {
    const reply = toReply({ type: "stream", chunks: [text] }, model);
    const frames = wire.streamFrames(reply, body);
    const first = frames.findIndex((frame) => frame.content);
    const prelude = frames.slice(0, Math.max(first, 0)).map((frame) => frame.text);
    const content = frames.filter((frame) => frame.content).map((frame) => frame.text);
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      ...commonHeaders(),
    });
    for (const frame of prelude) res.write(frame);
    let i = 0;
    const step = () => {
      while (!res.destroyed) {
        const ok = res.write(content[i % content.length] ?? "");
        i += 1;
        if (!ok) {
          res.once("drain", delayMs > 0 ? () => later(res, delayMs, step) : step);
          return;
        }
        if (delayMs > 0) return later(res, delayMs, step);
      }
    };
    step();
  };

  const run = (
    behavior: FakeBehavior,
    route: Exclude<Route, { kind: "countTokens" }>,
    body: unknown,
    res: ServerResponse,
  ): void => {
    switch (behavior.type) {
      case "hugeBody":
        res.writeHead(behavior.status ?? 200, { "content-type": "application/json", ...commonHeaders() });
        pump(
          res,
          '{"id":"huge","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"',
          behavior.bytes ?? Number.POSITIVE_INFINITY,
        );
        return;
      case "endlessStream":
        endless(
          res,
          behavior.text ?? "x",
          behavior.chunkDelayMs ?? 0,
          route.kind === "chat" ? route.model : undefined,
          body,
        );
        return;
      case "hugeLine":
        res.writeHead(200, { "content-type": "text/event-stream", ...commonHeaders() });
        pump(res, 'data: {"choices":[{"index":0,"delta":{"content":"', behavior.bytes ?? HUGE_LINE_BYTES);
        return;
      case "delay":
        later(res, behavior.ms, () => run(behavior.next ?? defaultBehavior, route, body, res));
        return;
      case "error": {
        const message = behavior.message ?? DEFAULT_ERROR_MESSAGES[behavior.status] ?? "Error";
        const reply = wire.error(behavior.status, message, behavior.errorType);
        if (behavior.body !== undefined) reply.body = behavior.body;
        const headers: Record<string, string> = { ...commonHeaders(), ...behavior.headers };
        if (behavior.retryAfter !== undefined) headers["retry-after"] = String(behavior.retryAfter);
        sendError(res, reply, headers);
        return;
      }
      case "streamError": {
        const message = behavior.message ?? "Error";
        if (route.kind === "chat" && route.stream && wire.streamErrorFrames) {
          const reply = toReply({ type: "stream", chunks: behavior.chunks ?? [] }, route.model);
          writeFrames(res, wire.streamErrorFrames(reply, body, behavior.errorType, message), 0);
          return;
        }
        sendError(res, wire.error(behavior.status ?? 500, message, behavior.errorType), commonHeaders());
        return;
      }
      case "malformed": {
        if (route.kind === "chat" && route.stream) {
          res.writeHead(200, { "content-type": "text/event-stream", ...commonHeaders() });
          res.end(`data: ${behavior.body ?? '{"id": "broken", "choices": ['}\n\n`);
          return;
        }
        res.writeHead(200, { "content-type": "application/json", ...commonHeaders() });
        res.end(behavior.body ?? '{"id": "broken", "choices": [');
        return;
      }
      default: {
        if (route.kind === "models") {
          if (behavior.type === "reset") {
            res.socket?.destroy();
            return;
          }
          res.writeHead(200, { "content-type": "application/json", ...commonHeaders() });
          res.end(JSON.stringify(wire.models(models)));
          return;
        }
        const reply = toReply(behavior, route.model);
        const delayMs = "chunkDelayMs" in behavior ? (behavior.chunkDelayMs ?? 0) : 0;
        if (behavior.type === "reset" && route.stream) {
          writeFrames(res, wire.streamFrames(reply, body), 0, behavior.afterChunks ?? 2);
        } else if (behavior.type === "reset") {
          const text = JSON.stringify(wire.completion(reply, body));
          res.writeHead(200, { "content-type": "application/json", ...commonHeaders() });
          res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        } else if (route.stream) {
          writeFrames(res, wire.streamFrames(reply, body), delayMs);
        } else {
          res.writeHead(200, { "content-type": "application/json", ...commonHeaders() });
          res.end(JSON.stringify(wire.completion(reply, body)));
        }
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const body = parseBody(raw);
    const recorded: RecordedRequest = {
      method,
      path,
      headers: { ...req.headers },
      body,
      aborted: false,
      remotePort: req.socket.remotePort,
    };
    requests.push(recorded);
    res.once("close", () => {
      if (!res.writableFinished) recorded.aborted = true;
    });
    const route = wire.route(method, path, body);
    if (!route) return sendError(res, wire.error(404, `Unknown endpoint ${method} ${path}`));
    const authError = wire.checkAuth(req.headers, path, apiKey);
    if (authError) return sendError(res, authError, commonHeaders());
    if (route.kind === "countTokens") return countTokens(wire, res, body, commonHeaders());
    if (route.kind === "chat") {
      const refused = wire.validate?.(body, route);
      if (refused) return sendError(res, refused, commonHeaders());
    }
    const queued = queue.shift();
    let behavior = queued ?? defaultBehavior;
    if (queued === undefined && route.kind === "chat" && isPlainSuccess(behavior)) {
      const ruled = toolRuleBehavior(wire.inspect(body));
      if (ruled) behavior = { ...behavior, ...ruled } as FakeBehavior;
    }
    run(behavior, route, body, res);
  };

  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requestCount += 1;
      const raw = Buffer.concat(chunks).toString("utf8");
      if (instant) instant(req, res, raw);
      else handle(req, res, raw);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    provider,
    url: `http://127.0.0.1:${port}${wire.basePath}`,
    port,
    apiKey,
    requests,
    get requestCount() {
      return requestCount;
    },
    enqueue: (...behaviors) => {
      queue.push(...behaviors);
    },
    setDefault: (behavior) => {
      defaultBehavior = behavior;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
