import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { errorFields, type Services, shuttingDown } from "@llmg/api";
import type { Express } from "express";
import type { AppLogger } from "../logger";
import { answerClientError } from "./client-error";
import { isPlainJson, readJsonBody } from "./json-body";
import { beginRequest } from "./request-context";
import { sendJson } from "./send-json";
import { handleChatCompletion } from "./v1/chat-completions";

const CHAT_PATH = "/v1/chat/completions";

/**
 * The gateway's HTTP server. Chat calls with a plain JSON body — nearly all of them — go straight
 * to their handler; everything else goes through express. Express 5's router and body-parser
 * cost more CPU per call than the whole of llmg's own work on a chat call (measured: a bare node
 * proxy serves ~2.6× the requests/s of the same proxy behind express.json on this hardware).
 */
export function createHttpServer(app: Express, services: Services, logger: AppLogger): Server {
  const limit = services.config.LLMG_BODY_LIMIT;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Draining: a request arriving on a kept-alive connection is turned away, and the
    // connection closed, so the client retries elsewhere.
    if (services.inflight?.draining) return refuseWhileDraining(logger, req, res);
    if (req.method === "POST" && isChatPath(req.url) && isPlainJson(req)) {
      const requestId = beginRequest(logger, req, res, CHAT_PATH);
      handleChatCompletion(services, req, res, requestId, () => readJsonBody(req, limit)).catch(
        (error: unknown) => {
          // The handler answers its own errors; this is only reached if answering failed too.
          logger.error({ request_id: requestId, err: error }, "chat answer failed");
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        },
      );
      return;
    }
    app(req, res);
  });
  server.on("clientError", answerClientError);
  return server;
}

function refuseWhileDraining(logger: AppLogger, req: IncomingMessage, res: ServerResponse): void {
  const requestId = beginRequest(logger, req, res, req.url ?? "/");
  const fields = errorFields(shuttingDown());
  res.setHeader("connection", "close");
  sendJson(res, fields.status, {
    success: false,
    error: fields.error,
    message: fields.message,
    request_id: requestId,
  });
}

function isChatPath(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(CHAT_PATH)) return false;
  // A query string is allowed (and ignored, as express's route would); a longer path is not ours.
  return url.length === CHAT_PATH.length || url[CHAT_PATH.length] === "?";
}
