import { amountOrNull, intOrNull } from "../shared/admin-fields";
import type { ApiKey, BudgetPeriod, CreateKey, Scope, UpdateKey } from "./key-types";

/**
 * A key's fields as typed in the create and edit forms: text, as the inputs hold it. An empty
 * text means "none" (on an edit: clear it, sent as null). What is wrong is left for the API to
 * say, next to the field it names.
 */
export interface KeyDraft {
  name: string;
  /** "" = no team. */
  teamId: string;
  scopes: Scope[];
  /** A datetime-local value, in the browser's time zone; "" = never. */
  expires: string;
  models: string;
  budget: string;
  period: BudgetPeriod;
  rpm: string;
  tpm: string;
  parallel: string;
}

export const EMPTY_DRAFT: KeyDraft = {
  name: "",
  teamId: "",
  scopes: ["chat", "read", "manage"],
  expires: "",
  models: "",
  budget: "",
  period: "month",
  rpm: "",
  tpm: "",
  parallel: "",
};

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as a datetime-local value in the browser's zone (seconds only when it has some). */
export function localInputOf(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const seconds = at.getSeconds() === 0 ? "" : `:${pad(at.getSeconds())}`;
  return `${day}T${pad(at.getHours())}:${pad(at.getMinutes())}${seconds}`;
}

/**
 * datetime-local is the browser's local time; the API wants an instant with its zone. What does
 * not read as a date is sent as typed, so the API's 400 names the field.
 */
export function instantOf(local: string): string {
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
}

/** "a, b\nc" → ["a", "b", "c"]; empty → null (every model). */
export function modelList(text: string): string[] | null {
  const list = text
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return list.length === 0 ? null : list;
}

/** The form prefilled with a key's current values. */
export function draftOfKey(key: ApiKey): KeyDraft {
  return {
    name: key.name ?? "",
    teamId: key.team_id ?? "",
    scopes: [...key.scopes],
    expires: key.expires_at === null ? "" : localInputOf(key.expires_at),
    models: key.allowed_models?.join(", ") ?? "",
    budget: key.budget_usd ?? "",
    period: key.budget_period ?? "month",
    rpm: key.rpm === null ? "" : String(key.rpm),
    tpm: key.tpm === null ? "" : String(key.tpm),
    parallel: key.max_parallel === null ? "" : String(key.max_parallel),
  };
}

/** POST /api/keys's body: only what was filled in. The budget goes as the decimal string typed. */
export function createInput(draft: KeyDraft): CreateKey {
  const input: CreateKey = { scopes: draft.scopes };
  const name = draft.name.trim() === "" ? null : draft.name.trim();
  if (name !== null) input.name = name;
  if (draft.teamId !== "") input.team_id = draft.teamId;
  if (draft.expires !== "") input.expires_at = instantOf(draft.expires);
  const allowed = modelList(draft.models);
  if (allowed) input.allowed_models = allowed;
  const budget = amountOrNull(draft.budget);
  if (budget !== null) {
    input.budget_usd = budget;
    input.budget_period = draft.period;
  }
  const rpm = intOrNull(draft.rpm);
  const tpm = intOrNull(draft.tpm);
  const parallel = intOrNull(draft.parallel);
  if (rpm !== null) input.rpm = rpm;
  if (tpm !== null) input.tpm = tpm;
  if (parallel !== null) input.max_parallel = parallel;
  return input;
}

const sameList = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((v, i) => v === b[i]));

/**
 * PATCH /api/keys/{id}'s body: only the fields that differ from the key, an emptied one as null
 * (the API clears it). A cleared budget takes its period with it; a period alone is sent only
 * while the key keeps a budget. Null when nothing changed.
 */
export function updatePatch(key: ApiKey, draft: KeyDraft): Omit<UpdateKey, "id"> | null {
  const was = draftOfKey(key);
  const patch: Omit<UpdateKey, "id"> = {};
  const name = draft.name.trim() === "" ? null : draft.name.trim();
  if (name !== key.name) patch.name = name;
  if (draft.teamId !== was.teamId) patch.team_id = draft.teamId === "" ? null : draft.teamId;
  if (!sameList(draft.scopes, key.scopes)) patch.scopes = draft.scopes;
  // Compared as typed: a key expiring at 10:30:00.500 is shown as 10:30 and stays as it is.
  if (draft.expires !== was.expires)
    patch.expires_at = draft.expires === "" ? null : instantOf(draft.expires);
  const models = modelList(draft.models);
  if (!sameList(models, key.allowed_models)) patch.allowed_models = models;
  const budget = amountOrNull(draft.budget);
  if (budget !== key.budget_usd) patch.budget_usd = budget;
  if (budget !== null && draft.period !== key.budget_period) patch.budget_period = draft.period;
  for (const [field, text, current] of [
    ["rpm", draft.rpm, was.rpm],
    ["tpm", draft.tpm, was.tpm],
    ["max_parallel", draft.parallel, was.parallel],
  ] as const) {
    if (text.trim() !== current) patch[field] = intOrNull(text);
  }
  return Object.keys(patch).length === 0 ? null : patch;
}
