import type { RouterInputs } from "@llmg/client";

/**
 * The history's filters, sort and page live in the query string (a link shows the same rows,
 * a reload keeps them). Unknown values fall back to the defaults rather than failing the page.
 */

export type HistoryInput = RouterInputs["usage"]["requests"];

export const SORTS = [
  { id: "created_at", label: "Time" },
  { id: "cost", label: "Cost" },
  { id: "latency", label: "Latency" },
  { id: "total_tokens", label: "Tokens" },
] as const;
export type SortId = (typeof SORTS)[number]["id"];

export const PER_PAGE = [5, 20, 50, 100] as const;
const DEFAULT_PER_PAGE = 20;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface HistoryView {
  provider?: string;
  model?: string;
  tag?: string;
  status?: "success" | "error";
  /** Bare dates, both inclusive (the API reads a bare `to` as the end of that day). */
  from?: string;
  to?: string;
  sort: SortId;
  order: "asc" | "desc";
  page: number;
  perPage: number;
  /** pagination.next_cursor of the page before: the API continues after it at any depth. */
  cursor?: string;
}

export function readHistoryView(params: URLSearchParams): HistoryView {
  const sort = params.get("sort");
  const status = params.get("status");
  const page = Number(params.get("page"));
  const perPage = Number(params.get("per_page"));
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const view: HistoryView = {
    sort: SORTS.some((s) => s.id === sort) ? (sort as SortId) : "created_at",
    order: params.get("order") === "asc" ? "asc" : "desc",
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    perPage: (PER_PAGE as readonly number[]).includes(perPage) ? perPage : DEFAULT_PER_PAGE,
  };
  const provider = params.get("provider");
  const model = params.get("model");
  const cursor = params.get("cursor");
  if (provider) view.provider = provider;
  if (model) view.model = model;
  const tag = params.get("tag");
  if (tag) view.tag = tag;
  if (status === "success" || status === "error") view.status = status;
  if (DATE.test(from)) view.from = from;
  if (DATE.test(to)) view.to = to;
  // A cursor opens page 2 or later; on page 1 it would only confuse the numbering.
  if (cursor && view.page > 1) view.cursor = cursor;
  return view;
}

export function writeHistoryView(view: HistoryView): string {
  const out = new URLSearchParams();
  if (view.provider) out.set("provider", view.provider);
  if (view.model) out.set("model", view.model);
  if (view.tag) out.set("tag", view.tag);
  if (view.status) out.set("status", view.status);
  if (view.from) out.set("from", view.from);
  if (view.to) out.set("to", view.to);
  if (view.sort !== "created_at") out.set("sort", view.sort);
  if (view.order !== "desc") out.set("order", view.order);
  if (view.perPage !== DEFAULT_PER_PAGE) out.set("per_page", String(view.perPage));
  if (view.page > 1) out.set("page", String(view.page));
  if (view.cursor && view.page > 1) out.set("cursor", view.cursor);
  return out.toString();
}

export function toInput(view: HistoryView): HistoryInput {
  return {
    sort: view.sort,
    order: view.order,
    page: view.page,
    per_page: view.perPage,
    ...(view.provider ? { provider: view.provider } : {}),
    ...(view.model ? { model: view.model } : {}),
    ...(view.tag ? { tag: view.tag } : {}),
    ...(view.status ? { status: view.status } : {}),
    ...(view.from ? { from: view.from } : {}),
    ...(view.to ? { to: view.to } : {}),
    ...(view.cursor ? { cursor: view.cursor } : {}),
  };
}

/** The list's URL for a view: `~` makes it absolute from inside the page's nested routes. */
export function listHref(view: HistoryView): string {
  const qs = writeHistoryView(view);
  return `~/requests${qs ? `?${qs}` : ""}`;
}
