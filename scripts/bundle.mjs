// Bundles an app's entry points with the workspace packages (@llmg/*, which ship TypeScript
// source) compiled in, and every npm dependency left external, so `node dist/main.js` runs the
// app without tsx. An app must list the npm packages its bundle imports among its dependencies.
import { build } from "esbuild";

const [outdir, ...entryPoints] = process.argv.slice(2);
if (!outdir || entryPoints.length === 0) {
  console.error("usage: node scripts/bundle.mjs OUTDIR ENTRY...");
  process.exit(2);
}

await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  plugins: [
    {
      name: "externalise-npm",
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@llmg/") ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
