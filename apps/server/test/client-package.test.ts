import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserWithKey, startTestGateway, type TestGateway } from "./harness";
import {
  npmEnv,
  type OutsideProject,
  outsideProject,
  repoRoot,
  run,
  strictTsconfig,
} from "./outside-project";

// The same versions the workspace builds and tests with.
const fromClient = createRequire(join(repoRoot, "packages/client/package.json"));
const version = (name: string) => (fromClient(`${name}/package.json`) as { version: string }).version;

/** A program as an app outside the repository would write it, against the installed package. */
function sample(url: string, key: string): string {
  return `import { createLlmgClient, llmgErrorCode, type RouterOutputs } from "@llmg/client";

const client = createLlmgClient({ baseUrl: ${JSON.stringify(url)}, apiKey: ${JSON.stringify(key)} });
const account = await client.account.get.query({});
const email: string = account.data.email;
const keys: RouterOutputs["keys"]["list"] = await client.keys.list.query({});
const created = await client.keys.create.mutate({ name: "from-the-tarball", scopes: ["read"] });
const missing = await client.keys.delete.mutate({ id: "key_missing" }).catch((e: unknown) => llmgErrorCode(e));
console.log(JSON.stringify({ email, keys: keys.data.length, created: created.data.name, missing }));
`;
}

/** Two mistakes the types must catch: a string read as a number, a misspelt input field. */
const MISTAKES = `import { createLlmgClient } from "@llmg/client";

const client = createLlmgClient({ baseUrl: "http://127.0.0.1:1", apiKey: "llmg_x" });
const account = await client.account.get.query({});
const email: number = account.data.email;
await client.keys.create.mutate({ nme: "typo" });
console.log(email);
`;

describe("@llmg/client packed and installed outside the workspace", () => {
  let t: TestGateway;
  let project: OutsideProject;
  let tarball: string;

  beforeAll(async () => {
    [t, project] = [await startTestGateway("pglite"), outsideProject("client-install")];
    // pnpm pack builds dist/ (prepack) and writes the package.json that publishConfig describes.
    const packed = await run(
      "pnpm",
      ["--filter", "@llmg/client", "pack", "--pack-destination", project.dir],
      {
        cwd: repoRoot,
        timeoutMs: 480_000,
      },
    );
    expect(packed.code, packed.output).toBe(0);
    tarball = readdirSync(project.dir).find((file) => file.endsWith(".tgz"))!;
    const installed = await run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        `./${tarball}`,
        `@trpc/client@${version("@trpc/client")}`,
        `@trpc/server@${version("@trpc/server")}`,
        `typescript@${version("typescript")}`,
      ],
      { cwd: project.dir, timeoutMs: 240_000, env: npmEnv() },
    );
    expect(installed.code, installed.output).toBe(0);
  }, 900_000);

  afterAll(async () => {
    project?.remove();
    await t?.close();
  });

  it("installs as built JS and declarations that name no workspace package", () => {
    const installed = join(project.dir, "node_modules/@llmg/client");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(["@trpc/client", "@trpc/server"]);
    expect(manifest.dependencies).toBeUndefined();
    for (const file of readdirSync(join(installed, "dist"))) {
      const text = readFileSync(join(installed, "dist", file), "utf8");
      expect(text, file).not.toMatch(/@llmg\/(api|core|db)|from "(zod|kysely)"/);
    }
    // Nothing else from the workspace came along.
    expect(readdirSync(join(project.dir, "node_modules/@llmg"))).toEqual(["client"]);
  });

  it("type-checks a strict app against it, refuses its type errors, and runs it against the gateway", async () => {
    const { key } = await createUserWithKey(t, { email: "outside@example.com" });
    project.write("sample.ts", sample(t.url, key));
    project.write("mistakes.ts", MISTAKES);
    project.write("tsconfig.json", strictTsconfig(["sample.ts"], true));
    project.write("tsconfig.mistakes.json", strictTsconfig(["mistakes.ts"], false));
    const tsc = join(project.dir, "node_modules/typescript/bin/tsc");

    const checked = await run("node", [tsc, "-p", "tsconfig.json"], { cwd: project.dir, timeoutMs: 120_000 });
    expect(checked.code, checked.output).toBe(0);

    // Real types, not `any`: both mistakes are reported, and nothing in the installed files.
    const refused = await run("node", [tsc, "-p", "tsconfig.mistakes.json"], {
      cwd: project.dir,
      timeoutMs: 120_000,
    });
    expect(refused.code).not.toBe(0);
    const errors = refused.stdout.split("\n").filter((line) => line.includes("error TS"));
    expect(errors, refused.output).toEqual([
      expect.stringMatching(
        /^mistakes\.ts\(5,7\): error TS2322: Type 'string' is not assignable to type 'number'/,
      ),
      expect.stringMatching(/^mistakes\.ts\(6,35\): error TS2561: .*'nme' does not exist/),
    ]);

    const ran = await run("node", ["out/sample.js"], { cwd: project.dir, timeoutMs: 60_000 });
    expect(ran.code, ran.output).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({
      email: "outside@example.com",
      keys: 1,
      created: "from-the-tarball",
      missing: "not_found",
    });
  }, 300_000);
});
