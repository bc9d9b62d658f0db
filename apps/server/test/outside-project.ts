import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../../..");

export interface RunResult {
  code: number | null;
  /** stdout and stderr together, as a person would see them. */
  output: string;
  stdout: string;
}

/**
 * Runs a command without blocking this process: the gateway under test lives in it and must
 * keep answering while a child program calls it.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a timeout ends what it started too (pnpm runs the build in a child).
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} ran past ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output, stdout });
    });
  });
}

/** The environment for npm in a project of its own: without what pnpm sets for the workspace. */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

export interface OutsideProject {
  dir: string;
  write(file: string, text: string): void;
  remove(): void;
}

/** A folder under the system's temp dir, outside the repository, with its own package.json. */
export function outsideProject(name: string): OutsideProject {
  const dir = mkdtempSync(join(tmpdir(), `llmg-${name}-`));
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  write("package.json", `${JSON.stringify({ name, private: true, type: "module" }, null, 2)}\n`);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A strict tsconfig as an app of its own would have, for the given files. */
export function strictTsconfig(files: string[], emit: boolean): string {
  const compilerOptions = {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    // DOM for fetch; @trpc/server's declarations name Disposable.
    lib: ["ES2022", "DOM", "ESNext.Disposable"],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    // The installed declarations are checked too, not taken on trust.
    skipLibCheck: false,
    ...(emit ? { outDir: "out" } : { noEmit: true }),
  };
  return `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`;
}
