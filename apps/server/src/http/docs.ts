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
});`;

export function docsRouter(): Router {
  const router = express.Router();
  router.get("/", (_req, res) => {
    res.type("html").send(page);
  });
  router.get("/init.js", (_req, res) => {
    res.type("application/javascript").send(init);
  });
  router.use("/assets", express.static(assetsDir, { index: false, maxAge: "1d" }));
  return router;
}
