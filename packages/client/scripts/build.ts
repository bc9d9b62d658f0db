// Builds the package that installs outside the workspace (`pnpm pack` runs it): dist/index.js
// with @trpc/client left to the app, the declarations of this package's own files, and in place
// of ./app-router (which re-exports @llmg/api in the workspace) the router's types written out.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import ts from "typescript";
import { routerDeclarations } from "./router-types";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const sources = ["index.ts", "stream.ts", "app-router.ts"].map((file) => join(root, "src", file));

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);

await build({
  entryPoints: [join(root, "src", "index.ts")],
  outfile: join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external: ["@trpc/client"],
  logLevel: "warning",
});

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, "tsconfig.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
if (!config) throw new Error("tsconfig.json did not parse");
const program = ts.createProgram(sources, {
  ...config.options,
  noEmit: false,
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: join(root, "src"),
  outDir: dist,
});
const errors = ts.getPreEmitDiagnostics(program);
if (errors.length) {
  const host = {
    getCanonicalFileName: (f: string) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  throw new Error(ts.formatDiagnostics(errors, host));
}
for (const source of sources.slice(0, 2)) {
  const result = program.emit(program.getSourceFile(source), undefined, undefined, true);
  if (result.emitSkipped) throw new Error(`no declarations for ${source}`);
}
writeFileSync(join(dist, "app-router.d.ts"), routerDeclarations(program, sources[2]!));
console.log("@llmg/client: built dist/");
