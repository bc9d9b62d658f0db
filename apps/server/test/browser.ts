import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * The dashboard's browser tests share this: Debian's Chromium driven by playwright-core (which
 * never downloads a browser), a context that refuses every request leaving the gateway, sign-in
 * through the real form, screenshots as artifacts, and the axe-core accessibility check.
 */

const repoRoot = resolve(import.meta.dirname, "../../..");
export const CHROMIUM = process.env.LLMG_TEST_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const inCi = Boolean(process.env.CI);
/** Browser suites run where Chromium is, and in CI always (there its absence fails them). */
export const skipBrowser = !hasChromium && !inCi;

/** The same step `pnpm start` runs: builds only when dist is missing or older than the sources. */
export function buildDashboard(): void {
  execFileSync("node", [join(repoRoot, "scripts/web-build.mjs"), "--strict"], {
    cwd: repoRoot,
    stdio: "pipe",
    timeout: 170_000,
  });
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every request the page tried to send anywhere but the gateway (refused). */
  outside: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
}

export async function openBrowser(gatewayUrl: string, options: OpenOptions = {}): Promise<BrowserSession> {
  if (!hasChromium) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it with apt`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // No sandbox as root in a container; no background traffic to Google's services, which a
    // closed network refuses (and which would count as leaving the machine).
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? "light",
  });
  const outside: string[] = [];
  const gateway = new URL(gatewayUrl);
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === gateway.origin) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  return { browser, context, page, outside, close: () => browser.close() };
}

/** Signs in through the form with a key, then waits for the signed-in shell. */
export async function signIn(page: Page, gatewayUrl: string, key: string, path = "/"): Promise<void> {
  await page.goto(`${gatewayUrl}${path}`);
  await page.getByLabel("API key").fill(key);
  await page.getByLabel("API key").press("Enter");
  await page.getByRole("navigation", { name: "Pages" }).waitFor();
}

/** Saves a full-page screenshot for whoever reads the run (not committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.LLMG_TEST_ARTIFACTS ?? join(tmpdir(), "llmg-test-artifacts");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is now; returns the serious and critical
 * violations (the bar), each with the elements it found.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(`
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
      .then((result) => result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => String(n.target)),
      })))
  `)) as AxeViolation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** True when the page is wider than its viewport (something forces sideways scrolling). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return (await page.evaluate(
    "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1",
  )) as boolean;
}
