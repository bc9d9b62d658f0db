import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response, type Router } from "express";

/**
 * The web dashboard (apps/web) at /: its built files, with the SPA fallback to index.html for
 * page loads (requests accepting text/html). It is
 * mounted after /api, /trpc, /v1 and /docs, so it never sits in front of them, and it answers
 * nothing under those prefixes (their unknown paths keep the JSON envelope's 404).
 */

const API_PREFIXES = ["/api", "/v1", "/trpc", "/docs", "/openapi.json", "/healthz", "/readyz"];

// The dashboard's own script and style files only; the API it calls is this origin too.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Recharts positions its tooltip and legend with style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>llmg</title></head>
<body>
  <h1>llmg is running</h1>
  <p>The web dashboard is not built. Run <code>pnpm --filter @llmg/web build</code>
  (<code>pnpm start</code> does it when needed), then reload this page.</p>
  <p>The API answers under <a href="/docs">/docs</a>.</p>
</body>
</html>`;

/** apps/web/dist, found from this file in the source tree (src/http) or in the bundle (dist). */
export function defaultWebDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "apps", "web", "dist");
    if (existsSync(join(dir, "apps", "web"))) return candidate;
    dir = dirname(dir);
  }
  return resolve("apps", "web", "dist");
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

export function webRouter(webDir: string): Router {
  const root = resolve(webDir);
  const indexFile = join(root, "index.html");
  const router = express.Router();

  // Only page loads reach the files: other methods and the API's own prefixes pass through.
  router.use((req, _res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || isApiPath(req.path)) return next("router");
    next();
  });

  // Vite names every asset by its content hash: a changed file is a new name, so a year is safe.
  router.use(
    "/assets",
    express.static(join(root, "assets"), { index: false, immutable: true, maxAge: "365d", redirect: false }),
  );
  // A missing asset is a 404 (the envelope's), not the page: a stale tab asking for an old hash
  // gets an answer it can act on rather than HTML parsed as a script.
  router.use("/assets", (_req, _res, next) => next("router"));

  // Other files at the top of dist (a favicon, say) are served as they are, revalidated each time.
  router.use(
    express.static(root, {
      index: false,
      redirect: false,
      setHeaders: (res, path) => {
        res.setHeader("cache-control", "no-cache");
        // /index.html itself gets the page's policy, as / does.
        if (path.endsWith(".html")) pageHeaders(res);
      },
    }),
  );

  // / and every other page a browser asks for are the single-page app's: index.html, which routes
  // on the client. A client that does not ask for HTML (curl, an SDK, a typo in a script) keeps
  // the envelope's JSON 404 for an unknown path.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== "/" && !(req.get("accept") ?? "").includes("text/html")) return next("router");
    pageHeaders(res);
    res.setHeader("cache-control", "no-cache");
    // Read on each page load (it is small): a dashboard built after the gateway started is
    // served without a restart, and a missing build answers a page saying so, never a crash.
    const html = await readIndex(indexFile);
    res.type("html");
    if (html === undefined) res.status(503).send(NOT_BUILT);
    else res.send(html);
  });
  return router;
}

function pageHeaders(res: ServerResponse): void {
  res.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "same-origin");
}

async function readIndex(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}
