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
const diagnosticHost = {
  getCanonicalFileName: (f: string) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => "\n",
};
/** This package's files only: the workspace's typecheck covers the rest, and checking it all here is slow. */
const diagnosticsOf = (of: ts.Program, files: string[]) =>
  files.flatMap((file) => {
    const source = of.getSourceFile(file);
    return [...of.getSyntacticDiagnostics(source), ...of.getSemanticDiagnostics(source)];
  });
const errors = diagnosticsOf(program, sources);
if (errors.length) throw new Error(ts.formatDiagnostics(errors, diagnosticHost));
for (const source of sources.slice(0, 2)) {
  const result = program.emit(program.getSourceFile(source), undefined, undefined, true);
  if (result.emitSkipped) throw new Error(`no declarations for ${source}`);
}
const { text, procedures } = routerDeclarations(program, sources[2]!);
writeFileSync(join(dist, "app-router.d.ts"), text);

// The written-out types must say what the router says: each procedure's input and output is
// checked both ways against @llmg/api's own, so a shape the writer got wrong stops the build.
const check = join(dist, "router-check.ts");
const at = (name: string) =>
  name
    .split(".")
    .map((part) => `[${JSON.stringify(part)}]`)
    .join("");
const lines = procedures.map(
  (name, i) => `export const in${i}: Same<WrittenIn${at(name)}, In${at(name)}> = true;
export const out${i}: Same<WrittenOut${at(name)}, Out${at(name)}> = true;`,
);
writeFileSync(
  check,
  `import type { RouterInputs as In, RouterOutputs as Out } from "@llmg/api";
import type { RouterInputs as WrittenIn, RouterOutputs as WrittenOut } from "./app-router.js";
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
${lines.join("\n")}
`,
);
try {
  const options = { ...config.options, noEmit: true };
  const checked = ts.createProgram([check], options, undefined, program);
  const mismatches = diagnosticsOf(checked, [check]);
  if (mismatches.length) throw new Error(ts.formatDiagnostics(mismatches, diagnosticHost));
} finally {
  rmSync(check);
}
console.log(`@llmg/client: built dist/ (${procedures.length} procedures, each checked against the router)`);
