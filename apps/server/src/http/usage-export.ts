import { once } from "node:events";
import { errorFields, type Services, startUsageExport } from "@llmg/api";
import type { Request, Response } from "express";
import { sendError } from "./envelope";

/**
 * GET /api/usage/export: the rows are written as they are read, one page at a time, and the next
 * page is read only once the socket has taken the last (backpressure), so a slow client holds one
 * page in memory, not the range. A client that goes away stops the reading.
 */
export function usageExportHandler(services: Services) {
  return async (req: Request, res: Response) => {
    let started = false;
    try {
      // authenticateFirst set the principal (key or session cookie) before this ran.
      const principal =
        req.principal ?? (await services.auth.authenticate(req.get("authorization"), req.ip ?? null));
      const download = startUsageExport(services, principal, req.query);
      res.status(200);
      res.setHeader("content-type", download.contentType);
      res.setHeader("content-disposition", `attachment; filename="${download.filename}"`);
      res.setHeader("cache-control", "no-store");
      res.setHeader("x-llmg-request-id", req.requestId);
      for await (const chunk of download.lines) {
        if (res.destroyed) {
          await download.lines.return(undefined);
          return;
        }
        started = true;
        if (!res.write(chunk)) await Promise.race([once(res, "drain"), once(res, "close")]);
      }
      res.end();
    } catch (error) {
      if (started || res.headersSent) {
        // The body has begun: no status can be sent any more. Cutting the connection (no final
        // chunk) tells the client the file is incomplete rather than letting it look whole.
        services.logger.error({ request_id: req.requestId, err: error }, "usage export failed midway");
        res.destroy();
        return;
      }
      sendError(res, errorFields(error), req.requestId);
    }
  };
}
