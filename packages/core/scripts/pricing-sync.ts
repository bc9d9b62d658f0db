/**
 * Regenerates packages/core/src/catalog/data/models.generated.json from a LiteLLM price map.
 *
 *   pnpm pricing:sync [path-or-url] [--date YYYY-MM-DD] [--check]
 *
 * A relative path is resolved against the repository root (not the cwd), default
 * ../shared/reference/litellm-model-prices.json. The snapshot date is --date if given; else the
 * date already committed when the source bytes are unchanged (so re-running is a no-op); else a
 * URL's Last-Modified header; else today (UTC). --check writes nothing and exits 1 if the
 * committed file is stale (for CI).
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCatalog, stableStringify } from "../src/catalog/sync/generate";
import { summarize } from "./pricing-sync-summary";

const scriptDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(scriptDir, "../../..");
const outputPath = resolve(scriptDir, "../src/catalog/data/models.generated.json");
const DEFAULT_SOURCE = "../shared/reference/litellm-model-prices.json";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return DATE.test(value) && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

interface Options {
  source: string;
  date: string | undefined;
  check: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { source: DEFAULT_SOURCE, date: undefined, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--check") options.check = true;
    else if (arg === "--date" || arg.startsWith("--date=")) {
      const value = arg === "--date" ? argv[++i] : arg.slice("--date=".length);
      if (value === undefined || !isCalendarDate(value)) throw new Error("--date needs a YYYY-MM-DD value");
      options.date = value;
    } else if (arg === "--help" || arg === "-h") {
      console.log("usage: pnpm pricing:sync [path-or-url] [--date YYYY-MM-DD] [--check]");
      process.exit(0);
    } else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}`);
    else options.source = arg;
  }
  return options;
}

interface Fetched {
  name: string;
  bytes: Buffer;
  lastModified: string | undefined;
}

async function load(source: string): Promise<Fetched> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source}: HTTP ${response.status}`);
    const header = response.headers.get("last-modified");
    const lastModified = header ? new Date(header).toISOString().slice(0, 10) : undefined;
    return { name: source, bytes: Buffer.from(await response.arrayBuffer()), lastModified };
  }
  const path = isAbsolute(source) ? source : resolve(repoRoot, source);
  return { name: basename(path), bytes: await readFile(path), lastModified: undefined };
}

async function committedSource(): Promise<{ sha256: string; date: string } | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(outputPath, "utf8"));
    const source = (parsed as { source?: { sha256?: unknown; date?: unknown } }).source;
    if (typeof source?.sha256 === "string" && typeof source.date === "string") {
      return { sha256: source.sha256, date: source.date };
    }
  } catch {
    // No committed file yet (or an unreadable one, which is about to be replaced).
  }
  return undefined;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const fetched = await load(options.source);
  const sha256 = createHash("sha256").update(fetched.bytes).digest("hex");
  const previous = await committedSource();
  let date = options.date ?? (previous?.sha256 === sha256 ? previous.date : fetched.lastModified);
  if (date === undefined) {
    date = new Date().toISOString().slice(0, 10);
    console.warn(`no snapshot date known for ${fetched.name}; using today (${date}); pass --date to set it`);
  }

  const catalog = generateCatalog(JSON.parse(fetched.bytes.toString("utf8")), {
    name: fetched.name,
    sha256,
    date,
  });
  const text = stableStringify(catalog);
  const current = await readFile(outputPath, "utf8").catch(() => "");

  console.log(summarize(catalog));
  if (options.check) {
    if (current !== text) {
      console.error("models.generated.json is out of date: run `pnpm pricing:sync`");
      process.exitCode = 1;
    }
    return;
  }
  if (current === text) {
    console.log("models.generated.json unchanged");
    return;
  }
  await writeFile(outputPath, text);
  console.log(`wrote ${outputPath}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
