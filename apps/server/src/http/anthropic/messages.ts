import type { ServerResponse } from "node:http";
import {
  type AnthropicCall,
  anthropicCall,
  anthropicCountCall,
  completeAnthropic,
  countAnthropicTokens,
  isDatabaseInputError,
  type Services,
  streamAnthropic,
} from "@llmg/api";
import type { SseEvent } from "@llmg/core";
import type { Request, Response } from "express";
import { clientGone, drained, startEventStream } from "../chat-stream";
import { clientAddress } from "../client-address";
import { sendJson } from "../send-json";
import { anthropicErrorEvent, anthropicErrorFields, sendAnthropicError } from "./errors";

const COST_HEADER = "x-llmg-cost-usd";

/** An event as Anthropic sent it: its `event:` name and its `data:` text, unchanged. */
const frame = (event: SseEvent) =>
  `${event.event === undefined ? "" : `event: ${event.event}\n`}data: ${event.data}\n\n`;

function headersOf(req: Request) {
  return { get: (name: string) => req.get(name) };
}

function answerError(services: Services, req: Request, res: Response, error: unknown): void {
  if (res.headersSent) {
    // A client that is not reading gets no more bytes queued for it: its connection is dropped.
    if (res.writableNeedDrain) res.destroy();
    else if (!res.writableEnded) res.end(anthropicErrorEvent(anthropicErrorFields(error), req.requestId));
    return;
  }
  const fields = anthropicErrorFields(error);
  if ((fields.status >= 500 && fields.error === "internal_error") || isDatabaseInputError(error)) {
    services.logger.error({ request_id: req.requestId, err: error }, "anthropic call failed");
  }
  sendAnthropicError(res, fields, req.requestId);
}

async function sendStream(services: Services, res: ServerResponse, native: AnthropicCall): Promise<void> {
  const done = await streamAnthropic(services, native, {
    signal: clientGone(res),
    onStart: (headers) => startEventStream(res, headers),
    onEvent(event) {
      return res.write(frame(event)) ? undefined : drained(res);
    },
  });
  res.addTrailers({ [COST_HEADER]: done.cost.totalCost });
  res.end(done.last ? frame(done.last) : "");
}

/** POST /anthropic/v1/messages, streamed or not, in Anthropic's shapes. */
export function messagesHandler(services: Services) {
  return async (req: Request, res: Response) => {
    try {
      const principal = req.principal;
      if (principal?.kind !== "user") throw new Error("the key is checked before the body is read");
      const native = anthropicCall(
        services,
        principal,
        {
          requestId: req.requestId,
          ip: clientAddress(req, services.config.LLMG_TRUST_PROXY),
          userAgent: req.get("user-agent") ?? null,
        },
        headersOf(req),
        req.body,
      );
      if (native.call.stream) {
        await sendStream(services, res, native);
        return;
      }
      const done = await completeAnthropic(services, native);
      for (const [name, value] of Object.entries(done.headers)) res.setHeader(name, value);
      res.setHeader(COST_HEADER, done.cost.totalCost);
      sendJson(res, 200, done.message);
    } catch (error) {
      answerError(services, req, res, error);
    }
  };
}

/** POST /anthropic/v1/messages/count_tokens: Anthropic's count, for the user's credential. */
export function countTokensHandler(services: Services) {
  return async (req: Request, res: Response) => {
    try {
      const principal = req.principal;
      if (principal?.kind !== "user") throw new Error("the key is checked before the body is read");
      const native = anthropicCountCall(services, principal, headersOf(req), req.body);
      sendJson(res, 200, await countAnthropicTokens(services, principal.userId, native));
    } catch (error) {
      answerError(services, req, res, error);
    }
  };
}
