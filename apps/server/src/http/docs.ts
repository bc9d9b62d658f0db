import { createRequire } from "node:module";
import { dirname } from "node:path";
import express, { type Router } from "express";

const require = createRequire(import.meta.url);

// Swagger UI's files come from the installed package and are served by us: gateways often run
// where there is no internet, so the docs page must not need a CDN.
const assetsDir = dirname(require.resolve("swagger-ui-dist/package.json"));

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>llmg API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const init = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  // The default validator badge is an image from validator.swagger.io: offline, and outside
  // the page's content security policy.
  validatorUrl: null,
});`;

// Scripts only from this origin (the page has no inline script: init.js is a file). Swagger UI
// sets style attributes and loads its icons as data: URIs, hence those two allowances.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function docsRouter(): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
    // frame-ancestors' older twin, for browsers that predate it.
    res.setHeader("x-frame-options", "DENY");
    next();
  });
  router.get("/", (_req, res) => {
    res.type("html").send(page);
  });
  router.get("/init.js", (_req, res) => {
    res.type("application/javascript").send(init);
  });
  router.use("/assets", express.static(assetsDir, { index: false, maxAge: "1d" }));
  return router;
}
