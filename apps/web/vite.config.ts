import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `pnpm dev` serves the dashboard with hot reload and sends API calls to a gateway running
// beside it (`pnpm start`), so the session cookie stays same-origin as it is in production.
const gateway = process.env.LLMG_GATEWAY_URL ?? `http://127.0.0.1:${process.env.PORT ?? "8080"}`;

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // Hashed names under /assets: the gateway serves them as immutable, index.html as no-cache.
    assetsDir: "assets",
    emptyOutDir: true,
    // dist/.vite/manifest.json maps each page to its chunks: scripts/web-bundle-size.mjs sums
    // what a first load of each page fetches (the gateway does not serve dot-folders).
    manifest: true,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": gateway,
      "/trpc": gateway,
      "/v1": gateway,
    },
  },
});
