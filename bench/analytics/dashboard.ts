import { existsSync } from "node:fs";
import { type BrowserContext, chromium } from "playwright-core";
import { percentile, round } from "../lib/stats";

/**
 * The dashboard's pages rendered in Debian's Chromium against the bench database: the time from
 * navigation start until the page's figures and charts are in the document, read from the
 * page's own clock (performance.now() at that moment, checked every frame). "cold" is a fresh browser context each time (no HTTP
 * cache, the session cookie only), "warm" reloads in one context (cached immutable assets).
 */

export interface PageTiming {
  name: string;
  path: string;
  cold_p50_ms: number;
  warm_p50_ms: number;
  warm_p95_ms: number;
  samples: number;
}

export interface DashboardPage {
  name: string;
  path: string;
  /** CSS selectors that are all on screen once the page has rendered its data. */
  ready: string[];
}

export const DASHBOARD_PAGES: DashboardPage[] = [
  {
    name: "Overview (this month)",
    path: "/",
    ready: [
      '[data-testid="spent"]',
      '[data-testid="tile-Requests"]',
      "figure.chart rect.bar-segment",
      "table.table tbody tr",
    ],
  },
  {
    // Four charts over 90 days × every provider: the responsiveness the issue asks for.
    name: "Usage (90 days by provider)",
    path: "/usage?range=90d&granularity=day&split=provider",
    ready: ["cost", "requests", "tokens", "latency"].map(
      (type) => `[data-testid="chart-${type}"] figure.chart svg.recharts-surface`,
    ),
  },
  {
    name: "Requests (page 1)",
    path: "/requests",
    ready: ["table.table tbody tr"],
  },
];

const CHROMIUM = process.env.LLMG_BENCH_CHROMIUM ?? "/usr/bin/chromium";
const COLD = 3;
const WARMUP = 2;

async function renderMs(context: BrowserContext, origin: string, page: DashboardPage): Promise<number> {
  const tab = context.pages()[0] ?? (await context.newPage());
  await tab.goto(`${origin}${page.path}`, { waitUntil: "commit" });
  // Checked on every animation frame inside the page, which reads its own clock the moment all
  // are there (Playwright's locator waits back off to 100s of ms between checks: too coarse).
  // A function, not a string: the dashboard's CSP refuses eval.
  const ready = await tab.waitForFunction(
    (selectors: string[]) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      return selectors.every((s) => doc.querySelector(s)) && performance.now();
    },
    page.ready,
    { polling: "raf", timeout: 60_000 },
  );
  return (await ready.jsonValue()) as number;
}

export async function timeDashboard(
  origin: string,
  key: string,
  samples: number,
  log: (line: string) => void,
  pages: DashboardPage[] = DASHBOARD_PAGES,
): Promise<PageTiming[] | null> {
  if (!existsSync(CHROMIUM)) {
    log(`  dashboard: skipped (no Chromium at ${CHROMIUM})`);
    return null;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const signedIn = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const res = await signedIn.request.post(`${origin}/api/session`, { data: { key } });
    if (res.status() !== 201 && res.status() !== 200) throw new Error(`sign-in: ${res.status()}`);
    const storageState = await signedIn.storageState();
    const timings: PageTiming[] = [];
    for (const page of pages) {
      // The gateway is a long-running process: its first answers (cold caches, code not yet
      // optimised) are not what a browser's first visit meets, so two loads go first.
      for (let i = 0; i < WARMUP; i++) await renderMs(signedIn, origin, page);
      const cold: number[] = [];
      for (let i = 0; i < COLD; i++) {
        const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState });
        cold.push(await renderMs(fresh, origin, page));
        await fresh.close();
      }
      const warm: number[] = [];
      for (let i = 0; i < samples; i++) warm.push(await renderMs(signedIn, origin, page));
      const timing: PageTiming = {
        name: page.name,
        path: page.path,
        cold_p50_ms: round(percentile(cold, 50), 1),
        warm_p50_ms: round(percentile(warm, 50), 1),
        warm_p95_ms: round(percentile(warm, 95), 1),
        samples,
      };
      log(
        `  ${page.name}: cold p50 ${timing.cold_p50_ms} ms, warm p50 ${timing.warm_p50_ms} ms, p95 ${timing.warm_p95_ms} ms`,
      );
      timings.push(timing);
    }
    return timings;
  } finally {
    await browser.close();
  }
}
